package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.GeneratedSet;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Structured dropout's compact steps (only the kept rows and columns are gathered, differentiated, updated and
 * written back) train the very model the scatter path trains (full-size gradients, every weight updated): same
 * seed, same masks, the same weights and history to float tolerance, with and without weight decay. Generated data(),
 * one engine thread.
 */
class CompactStepTest {
    @RegisterExtension
    static final GeneratedSet SET = new GeneratedSet(600, 200, 0.2);

    private static ImageData data() {
        return SET.data();
    }

    private static final Mlp SEED = Mlp.seedModel().withDropoutKind(DropoutKind.STRUCTURED);
    /** Two structured layers: the middle weight is sliced by rows and columns at once. */
    private static final Mlp DEEP = Mlp.builder()
            .hidden(48, 0.5)
            .hidden(32, 0.3)
            .dropoutKind(DropoutKind.STRUCTURED)
            .build();

    private static Training training(Mlp model) {
        return Training.of(model).sgd(0.1).batchSize(32).seed(7).progress(false);
    }

    @Test
    void plainSgdTakesTheSameStepsAsTheScatterPath() {
        assertSameTraining(training(SEED), 0.0);
        assertSameTraining(training(DEEP), 0.0);
    }

    @Test
    void gradientWeightDecayTakesTheSameStepsAsTheScatterPath() {
        assertSameTraining(training(SEED).weightDecay(1e-2, WeightDecay.L2_GRADIENT), 1e-5);
        assertSameTraining(training(DEEP).weightDecay(1e-2, WeightDecay.L2_GRADIENT), 1e-5);
    }

    @Test
    void decoupledWeightDecayTakesTheSameStepsAsTheScatterPath() {
        assertSameTraining(training(SEED).weightDecay(1e-2, WeightDecay.DECOUPLED), 0.0);
        assertSameTraining(training(DEEP).weightDecay(1e-2, WeightDecay.DECOUPLED), 0.0);
    }

    @Test
    void aResumedCompactRunTrainsAsTheUninterruptedOne() throws Exception {
        Training t = training(SEED).weightDecay(1e-3).label("compact");
        float[][] straight;
        try (TrainingRun run = t.start(data())) {
            run.train(2);
            straight = run.checkpoint().parameters();
        }
        Checkpoint half;
        try (TrainingRun run = t.start(data())) {
            run.train(1);
            half = run.checkpoint();
        }
        try (TrainingRun run = t.resume(data(), half)) {
            assertTrue(run.compactSteps());
            run.train(1);
            float[][] resumed = run.checkpoint().parameters();
            for (int p = 0; p < straight.length; p++) {
                assertArrayEquals(straight[p], resumed[p], "parameter " + p);
            }
        }
    }

    @Test
    void compactStepsAreTakenOnlyWhereTheyAreExact() {
        assertTrue(compact(training(SEED).weightDecay(1e-4)));
        assertTrue(compact(training(SEED).weightDecay(1e-4, WeightDecay.DECOUPLED)));
        assertTrue(compact(training(SEED).weightDecay(1e-4, WeightDecay.L2_LOSS).weightDecay(0)));
        assertFalse(compact(training(SEED).momentum(0.9)), "momentum moves dropped rows too");
        assertFalse(compact(training(SEED).weightDecay(1e-4, WeightDecay.L2_LOSS)), "a penalty of the full weights");
        assertFalse(compact(training(SEED).workers(2)), "each worker draws its own kept units");
        assertFalse(compact(training(Mlp.seedModel())), "standard dropout has no slices");
    }

    private static boolean compact(Training t) {
        try (TrainingRun run = t.start(data())) {
            return run.compactSteps();
        }
    }

    /**
     * Trains {@code t} for two epochs both ways and requires equal parameters (within {@code tolerance}, 0: to the
     * last bit) and histories (losses and weight norms within the tolerance, accuracies within one example).
     */
    private static void assertSameTraining(Training t, double tolerance) {
        Checkpoint compact;
        Checkpoint scatter;
        try (TrainingRun run = t.start(data())) {
            assertTrue(run.compactSteps(), "compact steps are exact here: " + t.weightDecayKind());
            run.train(2);
            compact = run.checkpoint();
        }
        try (TrainingRun run = t.start(data())) {
            assertFalse(run.compactSteps(false));
            run.train(2);
            scatter = run.checkpoint();
        }
        String what = t.model() + " " + t.weightDecayKind() + " " + t.weightDecay();
        assertEquals(scatter.parameters().length, compact.parameters().length);
        double largest = 0;
        for (int p = 0; p < scatter.parameters().length; p++) {
            float[] a = scatter.parameters()[p];
            float[] b = compact.parameters()[p];
            assertEquals(a.length, b.length);
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], tolerance, what + ": parameter " + p + " value " + i);
                largest = Math.max(largest, Math.abs(a[i]));
            }
        }
        assertTrue(largest > 0.01, "the weights are not all zero: " + largest);
        History a = History.readCsv("scatter", scatter.historyCsv());
        History b = History.readCsv("compact", compact.historyCsv());
        for (String column : new String[] {History.TRAIN_LOSS, History.VAL_LOSS, History.WEIGHT_NORM}) {
            for (int e = 0; e < 2; e++) {
                assertEquals(
                        a.table().doubleColumn(column).get(e),
                        b.table().doubleColumn(column).get(e),
                        Math.max(tolerance, 1e-12) * 100,
                        what + " " + column + " in epoch " + (e + 1));
            }
        }
        for (String column : new String[] {History.VAL_ACCURACY, History.TEST_ACCURACY}) {
            for (int e = 0; e < 2; e++) {
                assertEquals(
                        a.table().doubleColumn(column).get(e),
                        b.table().doubleColumn(column).get(e),
                        1.0 / Math.min(data().valSize(), data().testSize()) + 1e-12,
                        what + " " + column + " in epoch " + (e + 1));
            }
        }
        assertTrue(b.finalValAccuracy() > 0.5, what + " learned: " + b.finalValAccuracy());
    }
}
