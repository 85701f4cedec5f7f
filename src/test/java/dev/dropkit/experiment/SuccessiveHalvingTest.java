package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The search on a small generated data set with a validation split: rung sizes, promotion by validation accuracy,
 * budgets, bad input. Skipped (not passed) where the data layer has no validation split yet.
 */
class SuccessiveHalvingTest {
    @TempDir
    static Path dir;

    private static ImageData mnist;

    @BeforeAll
    static void load() {
        mnist = GeneratedData.withValidation(dir.resolve("split"), 1000, 200, 0.2);
    }

    @AfterAll
    static void close() {
        if (mnist != null) {
            mnist.close();
        }
    }

    private static ImageData data() {
        return mnist;
    }

    /** Four candidates; the one with a tiny learning rate cannot keep up and must be dropped first. */
    private static List<Training> candidates() {
        Training base = Training.of(Mlp.seedModel()).progress(false);
        return List.of(
                base.copy().sgd(0.1).label("lr 0.1"),
                base.copy().sgd(1e-4).label("lr 1e-4"),
                base.copy().sgd(0.2).label("lr 0.2"),
                base.copy().sgd(0.05).label("lr 0.05"));
    }

    @Test
    void halvesTheCandidatesEachRungAndResumesTheSurvivors() {
        var search = SuccessiveHalving.of(candidates()).budgetEpochs(8);
        assertEquals(2, search.rungs(), "ceil(log2 4)");
        var result = search.run(data());
        Table rungs = result.rungs();
        assertEquals(4 + 2, rungs.rowCount(), "4 candidates in rung 1, 2 in rung 2");
        Table first = rungs.where(rungs.intColumn("rung").isEqualTo(1));
        assertEquals(2, first.booleanColumn("promoted").countTrue());
        assertEquals(List.of(1, 1, 1, 1), first.intColumn("epochs").asList(), "8 / (2 rungs x 4) = 1 epoch each");
        Table dropped = first.where(first.booleanColumn("promoted").isFalse());
        assertTrue(dropped.stringColumn("run").contains("lr 1e-4"), "the slow learner is dropped: " + first.print());
        Table second = rungs.where(rungs.intColumn("rung").isEqualTo(2));
        assertEquals(List.of(3, 3), second.intColumn("epochs").asList(), "1 + 8 / (2 x 2) = 2 more epochs");
        assertEquals(1, second.booleanColumn("promoted").countTrue());
        assertEquals(second.stringColumn("run").get(0), result.best(), "the best of the last rung wins");
        assertEquals(4 + 4, result.totalEpochs());
        assertEquals(result.histories().doubleColumn("seconds").sum(), result.totalSeconds(), 1e-9);
    }

    @Test
    void aTimeBudgetIsSharedOutInSeconds() {
        var result = SuccessiveHalving.of(candidates().subList(0, 2))
                .budgetSeconds(0.01)
                .run(data());
        // One rung; each candidate trains at least one epoch however small the budget.
        assertEquals(2, result.rungs().rowCount());
        assertEquals(List.of(1, 1), result.rungs().intColumn("epochs").asList());
        assertTrue(result.toString().contains(result.best()));
    }

    @Test
    void noCandidateTrainsBeyondTheMaximumEpochs() {
        var result = SuccessiveHalving.of(candidates())
                .budgetSeconds(1e6)
                .maxEpochs(2)
                .run(data());
        assertEquals(2, result.histories().intColumn("epoch").max(), 0, "a huge budget is capped at 2 epochs each");
        Table rungs = result.rungs();
        assertEquals(
                List.of(2, 2, 2, 2),
                rungs.where(rungs.intColumn("rung").isEqualTo(1))
                        .intColumn("epochs")
                        .asList());
        assertEquals(
                0,
                rungs.where(rungs.intColumn("rung").isEqualTo(2))
                        .doubleColumn("rung_seconds")
                        .sum(),
                0,
                "survivors at the cap train no further");
    }

    @Test
    void badInputIsAOneLineError() {
        var none = assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(List.of()));
        assertTrue(none.getMessage().contains("no candidates"), none.getMessage());
        Training t = Training.of(Mlp.seedModel()).label("same");
        assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(List.of(t, t.copy())));
        assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(candidates())
                .eta(1));
        assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(candidates())
                .budgetSeconds(0));
        assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(candidates())
                .budgetEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(candidates())
                .maxEpochs(0));
        try (ImageData any = GeneratedData.load(dir.resolve("any"), 100, 50)) {
            var noBudget = assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(candidates())
                    .run(any));
            assertTrue(noBudget.getMessage().contains("budget"), noBudget.getMessage());
        }
    }

    @Test
    void withoutAValidationSplitTheSearchRefusesToRank() {
        ImageData none = GeneratedData.withValidation(dir.resolve("none"), 300, 100, 0);
        try (ImageData data = none != null ? none : GeneratedData.load(dir.resolve("plain"), 300, 100)) {
            var e = assertThrows(IllegalArgumentException.class, () -> SuccessiveHalving.of(
                            candidates().subList(0, 2))
                    .budgetEpochs(2)
                    .run(data));
            assertTrue(e.getMessage().contains("validation split"), e.getMessage());
        }
    }
}
