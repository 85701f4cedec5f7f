package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Trials on several threads give the table of the trials one after the other (timing columns aside); failures are
 * recorded and the others finish; a resumed sweep trains only what is missing; trials travel as data and back.
 */
class ConcurrentSweepTest {
    @TempDir
    static Path dir;

    private static Path folder;
    private static ImageData data;

    @BeforeAll
    static void load() throws Exception {
        folder = dev.dropkit.data.IdxFixtures.write(dir.resolve("idx"), 600, 200);
        data = ImageData.fromFolder(folder).validation(0.2).build();
    }

    @AfterAll
    static void close() {
        data.close();
    }

    private static Training base(double p) {
        return Training.of(Mlp.seedModel().withDropout(p))
                .sgd(0.1)
                .momentum(0.5)
                .epochs(2)
                .progress(false);
    }

    /** The table without its timing columns. */
    static Table untimed(Table t) {
        return t.copy().removeColumns(History.SECONDS, History.CUMULATIVE_SECONDS);
    }

    @Test
    void twoSlotsGiveTheSequentialTableInTrialOrder() {
        Table one = Sweep.dropoutRates(0, 0.25, 0.5)
                .seeds(2)
                .parallelism(1)
                .listener(SweepListener.none())
                .run(data, ConcurrentSweepTest::base);
        List<String> heard = Collections.synchronizedList(new ArrayList<>());
        Set<String> threads = ConcurrentHashMap.newKeySet();
        Table two = Sweep.dropoutRates(0, 0.25, 0.5)
                .seeds(2)
                .parallelism(2)
                .listener(new SweepListener() {
                    @Override
                    public void trialFinished(Sweep.Trial<?> trial, History history) {
                        heard.add(trial.key());
                    }
                })
                .run(data, p -> {
                    threads.add(Thread.currentThread().getName());
                    return base(p);
                });
        assertEquals(untimed(one).printAll(), untimed(two).printAll(), "same rows, same order, timing aside");
        assertEquals(6, heard.size(), "every trial heard once");
        assertEquals(6, Set.copyOf(heard).size());
    }

    @Test
    void runsStartingWhileOthersDrawDropoutMasksGiveTheSequentialTable() {
        // One seed each: a run initialises (seeding the engine's generator) while another draws dropout masks.
        Sweep<Double> rates =
                Sweep.dropoutRates(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7).listener(SweepListener.none());
        Table one = rates.parallelism(1).run(data, ConcurrentSweepTest::base);
        Table two = rates.parallelism(2).run(data, ConcurrentSweepTest::base);
        assertEquals(untimed(one).printAll(), untimed(two).printAll());
    }

    @Test
    void aTrialThatThrowsIsRecordedAndTheOthersFinish() {
        // batch size 1000 > workers is fine; a model with 5 inputs fails at the start of its run on 784 features.
        Sweep<Integer> sweep = Sweep.of("inputs", 784, 5).parallelism(2).listener(SweepListener.none());
        Table t = sweep.run(
                data, n -> Training.of(Mlp.builder().inputs(n).hidden(16, 0).build())
                        .sgd(0.1)
                        .epochs(1)
                        .progress(false));
        assertEquals(1, t.rowCount(), "the good trial's one epoch");
        assertEquals(1, sweep.failures().size());
        assertTrue(
                sweep.failures().get(0).message().contains("expects 5 inputs"),
                sweep.failures().toString());
        assertEquals("inputs=5", sweep.failures().get(0).trial().run());
    }

    @Test
    void aResumedSweepTrainsOnlyTheMissingTrials() {
        Map<String, History> saved = new HashMap<>();
        Table first = Sweep.dropoutRates(0, 0.5)
                .parallelism(2)
                .listener(new SweepListener() {
                    @Override
                    public void trialFinished(Sweep.Trial<?> trial, History history) {
                        if (trial.index() == 0) {
                            saved.put(trial.key(), history); // as if the sweep stopped after its first trial
                        }
                    }
                })
                .run(data, ConcurrentSweepTest::base);
        List<String> trained = Collections.synchronizedList(new ArrayList<>());
        Table resumed = Sweep.dropoutRates(0, 0.5)
                .parallelism(2)
                .resume(t -> Optional.ofNullable(saved.get(t.key())))
                .listener(SweepListener.none())
                .run(data, p -> {
                    trained.add("p=" + p);
                    return base(p);
                });
        assertEquals(untimed(first).printAll(), untimed(resumed).printAll());
        assertEquals(
                first.doubleColumn(History.SECONDS).get(0),
                resumed.doubleColumn(History.SECONDS).get(0),
                "the first trial's rows are the saved ones");
    }

    @Test
    void aTrialTravelsAsDataAndItsRowsComeBackExactly() throws Exception {
        Training t = base(0.5).seed(7).label("p=0.5");
        TrialSpec spec = TrialSpec.of(t);
        DataSpec dataSpec = DataSpec.ofFolder(folder).validation(0.2);
        // Through Java serialisation, as Spark sends it.
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(new TrialTask(3, spec, dataSpec));
        }
        TrialTask task;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            task = (TrialTask) in.readObject();
        }
        assertEquals(spec, task.trial());
        TrialOutcome outcome = task.execute();
        assertEquals(3, outcome.index());
        History there = outcome.history("p=0.5");
        History here = t.fit(data);
        assertEquals(untimed(here.table()).printAll(), untimed(there.table()).printAll());
        assertEquals(
                there.table().doubleColumn(History.SECONDS).asList(),
                outcome.history("p=0.5").table().doubleColumn(History.SECONDS).asList());

        TrialOutcome failed = new TrialTask(
                        4,
                        new TrialSpec(
                                "bad", 1, 5, "16:0.0", 10, "STANDARD", 0.1, 0, 0, "L2_GRADIENT", 32, 1, Double.NaN, 1),
                        dataSpec)
                .execute();
        assertTrue(failed.failed());
        assertTrue(failed.error().contains("expects 5 inputs"), failed.error());
    }

    @Test
    void settingsThatAreNotValuesCannotTravel() {
        Training scheduled = base(0.5).sgd(dev.dropkit.train.Schedule.cosine(0.1, 0, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> TrialSpec.of(scheduled));
        assertTrue(e.getMessage().contains("learning-rate schedule"), e.getMessage());
        Sweep<Double> sweep = Sweep.dropoutRates(0.5).backend(Backend.spark("local[2]"));
        var noSpec = assertThrows(IllegalArgumentException.class, () -> sweep.run(data, ConcurrentSweepTest::base));
        assertTrue(noSpec.getMessage().contains("DataSpec"), noSpec.getMessage());
    }

    @Test
    void backendsParseAndBadOnesAreOneLineErrors() {
        assertEquals(Backend.local(2), Backend.parse("local:2"));
        assertEquals(
                Runtime.getRuntime().availableProcessors(), ((Backend.Local) Backend.parse("local")).parallelism());
        assertEquals(new Backend.Spark("local[2]", false), Backend.parse("spark:local[2]"));
        assertEquals(2, Backend.spark("local[2]").localSlots());
        assertEquals(
                "spark://h1:7077,h2:7077", ((Backend.Spark) Backend.parse("spark:spark://h1:7077,h2:7077")).master());
        for (String bad :
                List.of("mesos", "spark:local[0]", "spark:spark://host", "spark:http://x", "local:x", "local:0")) {
            var e = assertThrows(IllegalArgumentException.class, () -> Backend.parse(bad), bad);
            assertTrue(e.getMessage().contains("use"), e.getMessage());
        }
        assertThrows(
                IllegalArgumentException.class, () -> Sweep.dropoutRates(0.5).parallelism(0));
        // Nothing provides Spark on the unit tests' class path: the error names the command that installs it.
        var e = assertThrows(IllegalArgumentException.class, () -> Backend.open(Backend.spark("local[2]")));
        assertTrue(e.getMessage().contains(Backend.INSTALL_SPARK), e.getMessage());
    }

    @Test
    void successiveHalvingGivesTheSequentialResultOnTwoSlots() {
        List<Training> candidates = new ArrayList<>();
        for (double lr : new double[] {0.1, 1e-4, 0.2, 0.05}) {
            candidates.add(Training.of(Mlp.seedModel()).sgd(lr).progress(false).label("lr " + lr));
        }
        var one =
                SuccessiveHalving.of(candidates).budgetEpochs(8).parallelism(1).run(data);
        var two =
                SuccessiveHalving.of(candidates).budgetEpochs(8).parallelism(2).run(data);
        assertEquals(one.best(), two.best());
        Table r1 = one.rungs().copy().removeColumns(SuccessiveHalving.RUNG_SECONDS);
        Table r2 = two.rungs().copy().removeColumns(SuccessiveHalving.RUNG_SECONDS);
        assertEquals(r1.printAll(), r2.printAll());
        assertEquals(
                untimed(one.histories()).printAll(), untimed(two.histories()).printAll());
    }
}
