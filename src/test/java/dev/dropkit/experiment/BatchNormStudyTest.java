package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The helpers of the batch-normalization notebook on generated data: the learning-rate grid, the variance shift, speed-ups. */
class BatchNormStudyTest {
    @TempDir
    static Path dir;

    private static ImageData data;

    @BeforeAll
    static void load() {
        data = GeneratedData.withValidation(dir, 600, 200, 0.2);
    }

    @AfterAll
    static void close() {
        data.close();
    }

    private static Training base() {
        return Training.of(Mlp.builder().hidden(32, 0.5).build())
                .batchSize(32)
                .epochs(2)
                .progress(false);
    }

    @Test
    void theGridFindsDivergenceTunesOnValidationAndBoundsTheStableRange() {
        Map<String, Training> models = new LinkedHashMap<>();
        models.put("plain", base());
        models.put(
                "bn",
                base().model(Mlp.builder()
                        .hidden(32, 0.5)
                        .batchNorm(BatchNormOrder.DROPOUT_AFTER_BN)
                        .build()));
        LearningRateGrid.Result grid = LearningRateGrid.of(0.1, 1e4)
                .seeds(2)
                .learnedAbove(0.5)
                .listener(SweepListener.none())
                .run(data, models);
        Table t = grid.table();
        assertEquals(
                List.of("plain", "plain", "bn", "bn"),
                t.stringColumn(LearningRateGrid.MODEL).asList());
        assertEquals(
                List.of(0.1, 1e4, 0.1, 1e4), t.doubleColumn(LearningRateGrid.LR).asList());
        assertEquals(List.of(2, 2, 2, 2), t.intColumn(RunSummary.SEEDS).asList());
        // lr 0.1 learns the generated classes; a rate of ten thousand blows the plain model up.
        assertTrue(grid.stable("plain", 0.1), grid.findings());
        assertFalse(grid.stable("plain", 1e4), grid.findings());
        assertEquals(0.1, grid.largestStable("plain").getAsDouble());
        assertEquals(1e4, grid.firstFailure("plain").getAsDouble());
        assertEquals(0.1, grid.tuned("plain"));
        assertEquals("yes", t.stringColumn(LearningRateGrid.STABLE).get(0));
        assertTrue(List.of("diverged", "did not learn")
                .contains(t.stringColumn(LearningRateGrid.STABLE).get(1)));
        assertEquals(16, grid.runs().rowCount(), "2 models x 2 rates x 2 seeds x 2 epochs");
        assertTrue(grid.findings().startsWith("plain: tuned lr=0.1 (validation accuracy "), grid.findings());
        assertThrows(IllegalArgumentException.class, () -> grid.tuned("other"));
    }

    @Test
    void aGridOfBadRatesOrThresholdsIsRefusedBeforeTraining() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateGrid.of(1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateGrid.of(0.1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateGrid.of(0, 1));
        assertThrows(
                IllegalArgumentException.class, () -> LearningRateGrid.of(0.1).learnedAbove(1));
        assertThrows(
                IllegalArgumentException.class, () -> LearningRateGrid.of(0.1).seeds(0));
        assertEquals("BN, lr=0.03", LearningRateGrid.label("BN", 0.03));
        assertEquals("BN, lr=10", LearningRateGrid.label("BN", 10.0));
    }

    @Test
    void dropoutBeforeBatchNormShiftsTheVarianceAcrossSeeds() {
        Mlp.Builder model = Mlp.builder().hidden(32, 0.5);
        Training before = base().sgd(0.1)
                .model(Mlp.builder()
                        .hidden(32, 0.5)
                        .batchNorm(BatchNormOrder.DROPOUT_BEFORE_BN)
                        .build())
                .label("before");
        Training after = base().sgd(0.1)
                .model(model.batchNorm(BatchNormOrder.DROPOUT_AFTER_BN).build())
                .label("after");
        VarianceShiftRuns shift = VarianceShiftRuns.run(data, List.of(before, after), 2);
        assertEquals(4, shift.shifts().rowCount(), "2 models x 2 seeds x 1 BN layer");
        assertEquals(8, shift.runs().rowCount(), "2 models x 2 seeds x 2 epochs");
        Table t = shift.table();
        assertEquals(List.of("before", "after"), t.stringColumn(History.RUN).asList());
        // Dropout 0.5 before BN: training-mode variance is inflated by dropout's rescaling, inference sees less.
        Spread b = shift.ratio("before", 1);
        Spread a = shift.ratio("after", 1);
        assertEquals(2, b.n());
        assertTrue(b.min() > 1.3, "dropout before BN: running variance well above inference variance, " + b);
        assertTrue(a.max() < 1.2 && a.min() > 0.8, "dropout after the only BN: no shift, " + a);
        assertEquals(b.mean(), t.doubleColumn(VarianceShiftRuns.VARIANCE_RATIO).get(0), 1e-12);
        assertEquals(2, shift.summary().table().intColumn(RunSummary.SEEDS).get(0));
        assertThrows(IllegalArgumentException.class, () -> shift.ratio("before", 2));
        assertThrows(
                IllegalArgumentException.class,
                () -> VarianceShiftRuns.run(data, List.of(base().label("plain")), 1),
                "no BN: nothing to measure");
    }

    @Test
    void aSpeedUpIsARatioOfTheMeansWithTheRangeTheSeedsAllow() {
        Table runs = Table.create("runs");
        String[] run = {"fast", "fast", "fast", "fast", "slow", "slow", "slow", "slow"};
        long[] seed = {1, 1, 2, 2, 1, 1, 2, 2};
        int[] epoch = {1, 2, 1, 2, 1, 2, 1, 2};
        double[] val = {0.96, 0.98, 0.97, 0.98, 0.90, 0.97, 0.91, 0.96};
        double[] seconds = {1, 1, 2, 2, 1, 1, 1, 1};
        runs.addColumns(
                tech.tablesaw.api.StringColumn.create(History.RUN, run),
                tech.tablesaw.api.LongColumn.create(RunSummary.SEED, seed),
                tech.tablesaw.api.IntColumn.create(History.EPOCH, epoch),
                tech.tablesaw.api.DoubleColumn.create(History.TRAIN_ACCURACY, val),
                tech.tablesaw.api.DoubleColumn.create(History.VAL_ACCURACY, val),
                tech.tablesaw.api.DoubleColumn.create(History.TEST_ACCURACY, val),
                tech.tablesaw.api.DoubleColumn.create(History.SECONDS, seconds),
                tech.tablesaw.api.DoubleColumn.create(
                        History.CUMULATIVE_SECONDS, new double[] {1, 2, 2, 4, 1, 2, 1, 2}));
        // To 0.97: fast at epoch 2 (seed 1: 2 s) and epoch 1 (seed 2: 2 s); slow at epoch 2 (2 s), seed 2 never.
        SpeedUp missed = SpeedUp.of(RunSummary.of(runs, 0.97), "fast", "slow", Measure.SECONDS_TO_TARGET);
        assertFalse(missed.measured());
        assertTrue(missed.toString().contains("slow reached the target in 1 of 2 seeds"), missed.toString());
        // To 0.96: fast in 1 epoch (seed 1) and 1 (seed 2); slow in 2 (seed 1) and 2 (seed 2).
        SpeedUp epochs = SpeedUp.of(RunSummary.of(runs, 0.96), "fast", "slow", Measure.EPOCHS_TO_TARGET);
        assertEquals(2.0, epochs.ratio(), 1e-12);
        assertEquals(2.0, epochs.lowest(), 1e-12);
        assertEquals(2.0, epochs.highest(), 1e-12);
        assertTrue(epochs.comparison().measurable());
        assertTrue(
                epochs.toString().startsWith("speed-up of fast over slow in epochs to the target: 2.00x"),
                epochs.toString());
        // Seconds to 0.96: fast 1 and 2 s, slow 2 and 2 s: ratio 2 / 1.5, range 2/2 to 2/1.
        SpeedUp secs = SpeedUp.of(RunSummary.of(runs, 0.96), "fast", "slow", Measure.SECONDS_TO_TARGET);
        assertEquals(2 / 1.5, secs.ratio(), 1e-12);
        assertEquals(1.0, secs.lowest(), 1e-12);
        assertEquals(2.0, secs.highest(), 1e-12);
        assertThrows(
                IllegalArgumentException.class,
                () -> SpeedUp.of(RunSummary.of(runs, 0.96), "fast", "slow", Measure.FINAL_VAL_ACCURACY));
    }
}
