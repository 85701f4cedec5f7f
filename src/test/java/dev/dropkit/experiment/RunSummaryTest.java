package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.train.History;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The summary on hand-made history tables whose answers are known. */
class RunSummaryTest {
    /** Two runs, one seed: "slow" reaches 0.9 validation accuracy at epoch 3 (3.5 s); "fast" at epoch 2 (1.5 s). */
    static Table histories() {
        return Table.create(
                "runs",
                StringColumn.create(History.RUN, "slow", "slow", "slow", "fast", "fast", "fast"),
                DoubleColumn.create("dropout", 0.5, 0.5, 0.5, 0.2, 0.2, 0.2),
                IntColumn.create(History.EPOCH, 1, 2, 3, 1, 2, 3),
                DoubleColumn.create(History.TRAIN_ACCURACY, 0.80, 0.88, 0.95, 0.85, 0.93, 0.96),
                DoubleColumn.create(History.VAL_ACCURACY, 0.70, 0.85, 0.91, 0.80, 0.92, 0.89),
                // Test accuracy ranks the runs the other way: a summary must not choose by it.
                DoubleColumn.create(History.TEST_ACCURACY, 0.60, 0.70, 0.99, 0.60, 0.70, 0.50),
                DoubleColumn.create(History.SECONDS, 2.0, 1.0, 0.5, 1.0, 0.5, 0.7),
                DoubleColumn.create(History.CUMULATIVE_SECONDS, 2.0, 3.0, 3.5, 1.0, 1.5, 2.2));
    }

    /** Configuration {@code run} over seeds: final validation accuracies {@code finals}, two epochs each. */
    static Table seeded(String run, double... finals) {
        List<String> runs = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        for (int s = 0; s < finals.length; s++) {
            for (int e = 1; e <= 2; e++) {
                runs.add(run);
                seeds.add(40L + s);
                epochs.add(e);
                val.add(e == 1 ? finals[s] - 0.05 : finals[s]);
            }
        }
        int n = runs.size();
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        double[] cumulative = new double[n];
        for (int i = 0; i < n; i++) {
            cumulative[i] = epochs.get(i);
        }
        return Table.create(
                run,
                StringColumn.create(History.RUN, runs),
                LongColumn.create(
                        RunSummary.SEED,
                        seeds.stream().mapToLong(Long::longValue).toArray()),
                IntColumn.create(
                        History.EPOCH,
                        epochs.stream().mapToInt(Integer::intValue).toArray()),
                DoubleColumn.create(History.TRAIN_ACCURACY, ones),
                DoubleColumn.create(
                        History.VAL_ACCURACY,
                        val.stream().mapToDouble(Double::doubleValue).toArray()),
                DoubleColumn.create(
                        History.TEST_ACCURACY,
                        val.stream().mapToDouble(v -> v - 0.01).toArray()),
                DoubleColumn.create(History.SECONDS, ones),
                DoubleColumn.create(History.CUMULATIVE_SECONDS, cumulative));
    }

    static Table stacked(Table... tables) {
        Table all = tables[0].copy();
        for (int i = 1; i < tables.length; i++) {
            all.append(tables[i]);
        }
        return all;
    }

    @Test
    void oneRowPerRunWithTimeAndEpochsToTargetOnValidation() {
        RunSummary summary = RunSummary.of(histories(), 0.9).warmup(1);
        Table s = summary.table();
        assertEquals(List.of("slow", "fast"), s.stringColumn(History.RUN).asList());
        assertEquals(List.of(0.5, 0.2), s.doubleColumn("dropout").asList());
        assertEquals(List.of(1, 1), s.intColumn(RunSummary.SEEDS).asList());
        assertEquals(
                List.of(3.0, 2.0), s.doubleColumn(RunSummary.EPOCHS_TO_TARGET).asList());
        assertEquals(
                List.of(3.5, 1.5), s.doubleColumn(RunSummary.SECONDS_TO_TARGET).asList());
        assertEquals(0.89, s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(1), 1e-12);
        assertEquals(0.92, s.doubleColumn(RunSummary.BEST_VAL_ACCURACY).get(1), 1e-12);
        assertEquals(0.96 - 0.89, s.doubleColumn(RunSummary.FINAL_GAP).get(1), 1e-12);
        assertEquals(0.75, s.doubleColumn(RunSummary.MEDIAN_EPOCH_SECONDS).get(0), 1e-12, "median of 1.0, 0.5");
        assertEquals(2.2, s.doubleColumn(RunSummary.TOTAL_SECONDS).get(1), 1e-12);
        assertFalse(s.columnNames().stream().anyMatch(c -> c.contains("test")), "no test column: " + s.columnNames());
        assertEquals("fast", summary.fastestToTarget().orElseThrow());
        assertEquals("slow", summary.best(), "best final validation accuracy, whatever the test set says");
        assertEquals(0.91, summary.row("slow").getDouble(RunSummary.FINAL_VAL_ACCURACY), 1e-12);
    }

    @Test
    void aTargetNeverReachedIsMissing() {
        RunSummary summary = RunSummary.of(histories(), 0.95);
        Table s = summary.table();
        assertTrue(s.doubleColumn(RunSummary.EPOCHS_TO_TARGET).isMissing(0));
        assertTrue(s.doubleColumn(RunSummary.SECONDS_TO_TARGET).isMissing(1));
        assertEquals(List.of(0, 0), s.intColumn(RunSummary.REACHED_TARGET).asList());
        assertTrue(summary.fastestToTarget().isEmpty());
    }

    @Test
    void seedsAreAggregatedWithTheirSpread() {
        RunSummary summary = RunSummary.of(stacked(seeded("a", 0.97, 0.98, 0.99), seeded("b", 0.90, 0.91, 0.92)), 0.95);
        Table s = summary.table();
        assertEquals(List.of("a", "b"), s.stringColumn(History.RUN).asList());
        assertEquals(List.of(3, 3), s.intColumn(RunSummary.SEEDS).asList());
        assertEquals(0.98, s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(0), 1e-12);
        assertEquals(
                0.97,
                s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN).get(0),
                1e-12);
        assertEquals(
                0.99,
                s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX).get(0),
                1e-12);
        assertEquals(
                4.303 * 0.01 / Math.sqrt(3),
                s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY + RunSummary.CI95).get(0),
                1e-9);
        assertEquals(3, s.intColumn(RunSummary.REACHED_TARGET).get(0), "every seed of a reaches 0.95 at epoch 2");
        assertEquals(2.0, s.doubleColumn(RunSummary.EPOCHS_TO_TARGET).get(0), 1e-12);
        assertTrue(s.doubleColumn(RunSummary.EPOCHS_TO_TARGET).isMissing(1), "b never reaches the target");
        assertEquals(6, summary.trials().rowCount(), "one row per run and seed");
        assertEquals(
                List.of(40L, 41L, 42L),
                summary.trials().longColumn(RunSummary.SEED).asList().subList(0, 3));
        assertEquals("a", summary.fastestToTarget().orElseThrow());
    }

    @Test
    void aDifferenceIsAFindingOnlyBeyondTheSpread() {
        RunSummary clear = RunSummary.of(stacked(seeded("a", 0.97, 0.98, 0.99), seeded("b", 0.90, 0.91, 0.92)));
        Comparison c = clear.compare("b", "a");
        assertTrue(c.measurable());
        assertEquals(
                "a beats b on final validation accuracy by 7.00 points (spread ±2.00 points; 3 seeds each)",
                c.toString());
        RunSummary close = RunSummary.of(stacked(seeded("a", 0.97, 0.99), seeded("b", 0.975, 0.98)));
        Comparison n = close.compare("a", "b");
        assertFalse(n.measurable());
        assertTrue(n.toString().startsWith("no measurable difference at this budget between a and b"), n.toString());
        RunSummary single = RunSummary.of(stacked(seeded("a", 0.99), seeded("b", 0.90)));
        Comparison one = single.compare("a", "b");
        assertFalse(one.measurable(), "one seed shows no spread");
        assertTrue(one.toString().contains("run at least 2 seeds"), one.toString());
    }

    @Test
    void aSpeedComparisonNeedsEverySeedToReachTheTarget() {
        RunSummary summary = RunSummary.of(stacked(seeded("a", 0.97, 0.99), seeded("b", 0.90, 0.97)), 0.95);
        Comparison c = summary.compare("a", "b", Measure.EPOCHS_TO_TARGET);
        assertFalse(c.measurable());
        assertTrue(c.toString().contains("b reached the target in 1 of 2 seeds"), c.toString());
    }

    @Test
    void theChoiceReportsTestAccuracyOnceAndLabelsIt() {
        RunSummary summary = RunSummary.of(stacked(seeded("a", 0.97, 0.99), seeded("b", 0.90, 0.91)));
        RunSummary.Choice choice = summary.choice();
        assertEquals("a", choice.run());
        assertEquals(0.97, choice.test().mean(), 1e-12, "test accuracy of the chosen run: 0.96 and 0.98");
        assertEquals(
                "chosen on final validation accuracy: a (validation accuracy 98.00% (97.00–99.00%, 2 seeds)); "
                        + "its test accuracy, reported once: 97.00% (96.00–98.00%, 2 seeds)",
                choice.toString());
        assertTrue(summary.choice("b", Measure.SECONDS_TO_TARGET)
                .toString()
                .startsWith("chosen on training seconds to the validation target: b "));
        assertEquals(0.905 - 0.01, summary.testAccuracyOf("b").mean(), 1e-12);
    }

    @Test
    void printableShowsPercentagesAndBlanksForMissingValues() {
        Table s = RunSummary.printable(RunSummary.of(histories(), 0.95).table());
        String text = s.printAll();
        assertTrue(text.contains("89.00%"), text);
        assertFalse(text.contains("NaN"), text);
        assertEquals(0.89, s.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).get(1), 1e-12, "values unchanged");
    }

    @Test
    void badTargetTableOrRunIsAOneLineError() {
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> RunSummary.of(histories(), bad));
            assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        }
        var e = assertThrows(
                IllegalArgumentException.class, () -> RunSummary.of(histories().removeColumns(History.SECONDS), 0.9));
        assertTrue(e.getMessage().contains("'seconds'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunSummary.of(histories(), 0.9)
                .warmup(-1));
        var row = assertThrows(
                IllegalArgumentException.class, () -> RunSummary.of(histories()).row("p=0.5"));
        assertEquals("no run 'p=0.5' in this summary: use one of [slow, fast]", row.getMessage());
        var noTarget = assertThrows(
                IllegalStateException.class, () -> RunSummary.of(histories()).fastestToTarget());
        assertTrue(noTarget.getMessage().contains("RunSummary.of(runs, target)"), noTarget.getMessage());
    }

    @Test
    void withoutAValidationSplitNothingIsChosen() {
        Table t = histories();
        t.replaceColumn(
                History.VAL_ACCURACY,
                DoubleColumn.create(History.VAL_ACCURACY, new double[6]).map(x -> Double.NaN));
        var e = assertThrows(
                IllegalStateException.class, () -> RunSummary.of(t, 0.9).best());
        assertTrue(e.getMessage().contains("validation split"), e.getMessage());
        assertTrue(RunSummary.of(t, 0.9).fastestToTarget().isEmpty());
    }
}
