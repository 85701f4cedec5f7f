package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Sweeps on a small generated data set: seeds, the trial list, the listener, stacking, configuration columns, and
 * the up-front checks of values.
 */
class SweepTest {
    @TempDir
    static Path dir;

    private static ImageData mnist;

    @BeforeAll
    static void load() {
        mnist = GeneratedData.load(dir, 600, 200);
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
                .run(p -> base().model(Mlp.seedModel().withDropout(p))
                        .label("p=" + p)
                        .fit(mnist));
        assertEquals(4, runs.rowCount(), "2 runs x 2 epochs");
        assertEquals(
                List.of("p=0.0", "p=0.5"),
                runs.stringColumn("run").unique().asList().stream().sorted().toList());
        assertEquals(List.of(0.0, 0.0, 0.5, 0.5), runs.doubleColumn("dropout").asList());
        assertEquals(List.of(1, 2, 1, 2), runs.intColumn("epoch").asList());
        assertTrue(runs.doubleColumn("train_accuracy").min() > 0.3, "trained above chance");
    }

    @Test
    void eachConfigurationRunsOverItsSeedsIntoOneTable() {
        Sweep<Double> sweep = Sweep.dropoutRates(0, 0.5).seeds(2).listener(SweepListener.none());
        var trials = sweep.trials(p -> base().epochs(1).model(Mlp.seedModel().withDropout(p)));
        assertEquals(
                List.of("dropout=0.0", "dropout=0.0", "dropout=0.5", "dropout=0.5"),
                trials.stream().map(Sweep.Trial::run).toList());
        assertEquals(
                List.of(42L, 43L, 42L, 43L),
                trials.stream().map(Sweep.Trial::seed).toList(),
                "the configuration's seed and the next");
        assertEquals(43L, trials.get(1).training().seed());
        assertFalse(trials.get(0).training().progress(), "no per-epoch lines inside a sweep");
        Table runs =
                sweep.run(mnist, p -> base().epochs(1).model(Mlp.seedModel().withDropout(p)));
        assertEquals(4, runs.rowCount(), "2 rates x 2 seeds x 1 epoch");
        assertEquals(
                List.of(42L, 43L, 42L, 43L), runs.longColumn(RunSummary.SEED).asList());
        assertFalse(
                runs.doubleColumn(History.TRAIN_LOSS)
                        .get(0)
                        .equals(runs.doubleColumn(History.TRAIN_LOSS).get(1)),
                "another seed gives another run");
        RunSummary summary = RunSummary.of(runs);
        assertEquals(List.of(2, 2), summary.table().intColumn(RunSummary.SEEDS).asList());
        var explicit = Sweep.dropoutRates(0.5).seeds(7, 9).trials(p -> base());
        assertEquals(List.of(7L, 9L), explicit.stream().map(Sweep.Trial::seed).toList());
    }

    @Test
    void theListenerHearsTheTrialListEachFinishedTrialAndTheSummary() {
        List<String> events = new ArrayList<>();
        SweepListener listener = new SweepListener() {
            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                events.add("start " + name + " " + trials.size());
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History history) {
                events.add(trial.run() + " seed " + trial.seed() + ": " + history.epochs() + " epochs");
            }

            @Override
            public void sweepFinished(RunSummary summary) {
                events.add("done " + summary.runs());
            }
        };
        // One slot: trials finish in list order (with more, in the order they end; see ConcurrentSweepTest).
        Sweep.learningRates(0.1)
                .seeds(2)
                .parallelism(1)
                .labels(lr -> "lr " + lr)
                .listener(listener)
                .run(mnist, lr -> base().epochs(2).sgd(lr));
        assertEquals(
                List.of("start lr 2", "lr 0.1 seed 42: 2 epochs", "lr 0.1 seed 43: 2 epochs", "done [lr 0.1]"), events);
    }

    @Test
    void theDefaultLinesAreOnePerFinishedTrial() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Sweep.configs(List.of(base().epochs(1).label("plain")))
                .seeds(2)
                .parallelism(1)
                .listener(SweepProgress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8)))
                .run(mnist, c -> c);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertEquals("sweep over run: 2 trials (1 configuration x 2 seeds)", lines.get(0));
        assertTrue(lines.get(1).startsWith("[1/2] plain  seed 42  1 epoch  "), lines.get(1));
        assertTrue(lines.get(2).startsWith("[2/2] plain  seed 43  1 epoch  "), lines.get(2));
    }

    @Test
    void addsAColumnForAKnobTheHistoryDoesNotRecord() {
        Table runs = Sweep.of("seed", 1, 2)
                .run(s -> base().epochs(1).seed(s).label("seed " + s).fit(mnist));
        assertEquals(List.of(1, 2), runs.intColumn("seed").asList());
        assertTrue(runs.columnNames().containsAll(List.of("run", "lr", "momentum", "batch_size", "weight_decay")));
    }

    @Test
    void fitsAListOfConfigurations() {
        Table runs = Sweep.fit(
                mnist,
                List.of(
                        base().epochs(1).label("plain"),
                        base().epochs(1).momentum(0.9).label("momentum")));
        assertEquals(List.of("plain", "momentum"), runs.stringColumn("run").asList());
        assertEquals(List.of(0.0, 0.9), runs.doubleColumn("momentum").asList());
    }

    @Test
    void interleavedRunsTrainInTurnAndStopAtTheirTarget() {
        Table runs = Sweep.interleaved(
                mnist,
                List.of(
                        base().label("two epochs"),
                        base().epochs(3).stopAt(0.05).label("stops at once"),
                        base().epochs(3).label("three epochs")));
        assertEquals(
                List.of("two epochs", "two epochs", "stops at once", "three epochs", "three epochs", "three epochs"),
                runs.stringColumn("run").asList());
        assertEquals(List.of(1, 2, 1, 1, 2, 3), runs.intColumn("epoch").asList());
        assertThrows(IllegalArgumentException.class, () -> Sweep.interleaved(mnist, List.of()));
        Table seeded = Sweep.configs(
                        List.of(base().epochs(2).label("a"), base().epochs(1).label("b")))
                .seeds(2)
                .interleaved()
                .listener(SweepListener.none())
                .run(mnist, c -> c);
        assertEquals(
                List.of("a", "a", "a", "a", "b", "b"),
                seeded.stringColumn("run").asList());
        assertEquals(
                List.of(42L, 42L, 43L, 43L, 42L, 43L),
                seeded.longColumn(RunSummary.SEED).asList());
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
        var twice = assertThrows(
                IllegalArgumentException.class, () -> Sweep.fit(mnist, List.of(base().label("a"), base().label("a"))));
        assertTrue(twice.getMessage().contains("'a'"), twice.getMessage());
        var zero = assertThrows(
                IllegalArgumentException.class, () -> Sweep.dropoutRates(0.5).seeds(0));
        assertTrue(zero.getMessage().startsWith("seed count 0 must be at least 1"), zero.getMessage());
        var repeated = assertThrows(
                IllegalArgumentException.class, () -> Sweep.dropoutRates(0.5).seeds(1, 1));
        assertTrue(repeated.getMessage().contains("repeat"), repeated.getMessage());
        var legacy = assertThrows(
                IllegalArgumentException.class,
                () -> Sweep.dropoutRates(0.5).seeds(2).run(p -> base().fit(mnist)));
        assertTrue(legacy.getMessage().contains("run(data"), legacy.getMessage());
        for (var e : List.of(empty, rate, lr, batch, none, twice, zero, repeated, legacy)) {
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }
}
