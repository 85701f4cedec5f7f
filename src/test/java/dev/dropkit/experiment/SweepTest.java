package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** Sweeps on a 1,000-image MNIST subset: stacking, configuration columns, and the up-front checks of values. */
class SweepTest {
    private static ImageData mnist;

    @BeforeAll
    static void load() {
        mnist = ImageData.builder("mnist").trainSubset(1000).testSubset(500).build();
    }

    @AfterAll
    static void close() {
        mnist.close();
    }

    private static Training base() {
        return Training.of(Mlp.seedModel()).sgd(0.1).epochs(2).progress(false);
    }

    @Test
    void runsOneTrainingPerValueAndStacksTheHistories() {
        Table runs = Sweep.dropoutRates(0, 0.5)
                .run(p -> base().model(Mlp.seedModel().withDropout(p)).label("p=" + p).fit(mnist));
        assertEquals(4, runs.rowCount(), "2 runs x 2 epochs");
        assertEquals(List.of("p=0.0", "p=0.5"), runs.stringColumn("run").unique().asList().stream().sorted().toList());
        assertEquals(List.of(0.0, 0.0, 0.5, 0.5), runs.doubleColumn("dropout").asList());
        assertEquals(List.of(1, 2, 1, 2), runs.intColumn("epoch").asList());
        assertTrue(runs.doubleColumn("test_accuracy").min() > 0.1, "trained above chance");
    }

    @Test
    void addsAColumnForAKnobTheHistoryDoesNotRecord() {
        Table runs = Sweep.of("seed", 1, 2).run(s -> base().epochs(1).seed(s).label("seed " + s).fit(mnist));
        assertEquals(List.of(1, 2), runs.intColumn("seed").asList());
        assertTrue(runs.columnNames().containsAll(List.of("run", "lr", "momentum", "batch_size", "weight_decay")));
    }

    @Test
    void fitsAListOfConfigurations() {
        Table runs = Sweep.fit(mnist, List.of(base().epochs(1).label("plain"),
                base().epochs(1).momentum(0.9).label("momentum")));
        assertEquals(List.of("plain", "momentum"), runs.stringColumn("run").asList());
        assertEquals(List.of(0.0, 0.9), runs.doubleColumn("momentum").asList());
    }

    @Test
    void interleavedRunsTrainInTurnAndStopAtTheirTarget() {
        Table runs = Sweep.interleaved(mnist, List.of(base().label("two epochs"),
                base().epochs(3).stopAt(0.05).label("stops at once"), base().epochs(3).label("three epochs")));
        assertEquals(List.of("two epochs", "two epochs", "stops at once", "three epochs", "three epochs",
                "three epochs"), runs.stringColumn("run").asList());
        assertEquals(List.of(1, 2, 1, 1, 2, 3), runs.intColumn("epoch").asList());
        assertThrows(IllegalArgumentException.class, () -> Sweep.interleaved(mnist, List.of()));
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheValueAndTheRange() {
        var empty = assertThrows(IllegalArgumentException.class, () -> Sweep.dropoutRates());
        assertTrue(empty.getMessage().contains("no values"), empty.getMessage());
        var rate = assertThrows(IllegalArgumentException.class, () -> Sweep.dropoutRates(0, 0.5, 1.0));
        assertTrue(rate.getMessage().contains("1.0") && rate.getMessage().contains("[0, 1)"), rate.getMessage());
        var lr = assertThrows(IllegalArgumentException.class, () -> Sweep.learningRates(0.1, -0.01));
        assertTrue(lr.getMessage().contains("-0.01") && lr.getMessage().contains("(0, inf)"), lr.getMessage());
        var batch = assertThrows(IllegalArgumentException.class, () -> Sweep.batchSizes(128, 0));
        assertTrue(batch.getMessage().contains("batch_size value 0"), batch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Sweep.momenta(0.9, 1));
        assertThrows(IllegalArgumentException.class, () -> Sweep.of("lr", Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Sweep.of("x", List.of()));
        var none = assertThrows(IllegalArgumentException.class, () -> Sweep.fit(mnist, List.of()));
        assertTrue(none.getMessage().contains("no training configurations"), none.getMessage());
        var twice = assertThrows(IllegalArgumentException.class,
                () -> Sweep.fit(mnist, List.of(base().label("a"), base().label("a"))));
        assertTrue(twice.getMessage().contains("'a'"), twice.getMessage());
        for (var e : List.of(empty, rate, lr, batch, none, twice)) {
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }
}
