package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The per-run summary on a hand-made history table whose answers are known. */
class RunSummaryTest {
    /** Two runs: "slow" reaches 0.9 at epoch 3 (3.5 s); "fast" reaches it at epoch 2 (1.5 s) then dips. */
    static Table histories() {
        return Table.create("runs",
                StringColumn.create("run", "slow", "slow", "slow", "fast", "fast", "fast"),
                DoubleColumn.create("dropout", 0.5, 0.5, 0.5, 0.2, 0.2, 0.2),
                DoubleColumn.create("lr", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),
                IntColumn.create("epoch", 1, 2, 3, 1, 2, 3),
                DoubleColumn.create("train_accuracy", 0.80, 0.88, 0.95, 0.85, 0.93, 0.96),
                DoubleColumn.create("test_accuracy", 0.70, 0.85, 0.91, 0.80, 0.92, 0.89),
                DoubleColumn.create("seconds", 2.0, 1.0, 0.5, 1.0, 0.5, 0.7),
                DoubleColumn.create("cumulative_seconds", 2.0, 3.0, 3.5, 1.0, 1.5, 2.2));
    }

    @Test
    void oneRowPerRunWithTimeAndEpochsToTarget() {
        Table s = RunSummary.of(histories(), 0.9).warmup(1).table();
        assertEquals(List.of("slow", "fast"), s.stringColumn("run").asList());
        assertEquals(List.of(0.5, 0.2), s.doubleColumn("dropout").asList());
        assertEquals(List.of(3, 3), s.intColumn(RunSummary.EPOCHS).asList());
        assertEquals(List.of(3, 2), s.intColumn(RunSummary.EPOCHS_TO_TARGET).asList());
        assertEquals(List.of(3.5, 1.5), s.doubleColumn(RunSummary.SECONDS_TO_TARGET).asList());
        assertEquals(0.89, s.doubleColumn(RunSummary.FINAL_TEST_ACCURACY).get(1), 1e-12);
        assertEquals(0.96, s.doubleColumn(RunSummary.FINAL_TRAIN_ACCURACY).get(1), 1e-12);
        assertEquals(0.92, s.doubleColumn(RunSummary.BEST_TEST_ACCURACY).get(1), 1e-12);
        assertEquals(0.96 - 0.89, s.doubleColumn(RunSummary.FINAL_GAP).get(1), 1e-12);
        assertEquals(0.75, s.doubleColumn(RunSummary.MEDIAN_EPOCH_SECONDS).get(0), 1e-12, "median of 1.0, 0.5");
        assertEquals(2.2, s.doubleColumn(RunSummary.TOTAL_SECONDS).get(1), 1e-12);
        assertEquals("fast", RunSummary.of(histories(), 0.9).fastestToTarget().orElseThrow());
    }

    @Test
    void aTargetNeverReachedIsMissing() {
        Table s = RunSummary.of(histories(), 0.95).table();
        assertTrue(s.intColumn(RunSummary.EPOCHS_TO_TARGET).isMissing(0));
        assertTrue(s.doubleColumn(RunSummary.SECONDS_TO_TARGET).isMissing(1));
        assertTrue(RunSummary.of(histories(), 0.95).fastestToTarget().isEmpty());
    }

    @Test
    void printableShowsPercentagesAndBlanksForMissingValues() {
        Table s = RunSummary.printable(RunSummary.of(histories(), 0.95).table());
        String text = s.printAll();
        assertTrue(text.contains("89.00%"), text);
        assertTrue(!text.contains("NaN"), text);
        assertEquals(0.89, s.doubleColumn(RunSummary.FINAL_TEST_ACCURACY).get(1), 1e-12, "values unchanged");
    }

    @Test
    void badTargetOrTableIsAOneLineError() {
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> RunSummary.of(histories(), bad));
            assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> RunSummary.of(histories().removeColumns("seconds"), 0.9));
        assertTrue(e.getMessage().contains("'seconds'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunSummary.of(histories(), 0.9).warmup(-1));
    }
}
