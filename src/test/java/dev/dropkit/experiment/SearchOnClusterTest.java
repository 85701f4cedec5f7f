package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.IdxFixtures;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Successive halving and ASHA whose rung jobs travel as data (each task and outcome through Java serialisation, as
 * with Spark; candidates continue from checkpoints) choose and train exactly as the same searches in threads of this
 * JVM: same rungs, same histories, timing aside. Spark itself is checked by environment/checks/sweep_backend_check.sh.
 */
class SearchOnClusterTest {
    @TempDir
    static Path dir;

    private static DataSpec data;

    @BeforeAll
    static void write() throws IOException {
        data = DataSpec.ofFolder(IdxFixtures.write(dir, 800, 200)).validation(0.2);
    }

    /** Candidates with momentum (its buffers must travel too) and several dropout kinds. */
    private static List<Training> candidates() {
        return List.of(
                Training.of(Mlp.seedModel()).sgd(0.1).momentum(0.9).label("momentum"),
                Training.of(Mlp.seedModel().withDropoutKind(DropoutKind.FAST))
                        .sgd(0.1)
                        .label("fast"),
                Training.of(Mlp.seedModel().withDropoutKind(DropoutKind.STRUCTURED))
                        .sgd(0.2)
                        .weightDecay(1e-3)
                        .label("structured"),
                Training.of(Mlp.seedModel()).sgd(1e-4).label("tiny rate"));
    }

    /** A cluster of one slot in this JVM that serialises every task and outcome. */
    private static final class SerialisingCluster implements ClusterBackend {
        int tasks;
        int resumed;

        @Override
        public void run(Supplier<TrialTask> next, int inFlight, Consumer<TrialOutcome> finished) {
            for (TrialTask task = next.get(); task != null; task = next.get()) {
                TrialTask travelled = roundTrip(task);
                tasks++;
                resumed += travelled.from() != null ? 1 : 0;
                finished.accept(roundTrip(travelled.execute()));
            }
        }

        @Override
        public int slots() {
            return 1;
        }

        @Override
        public void close() {}
    }

    @Test
    void successiveHalvingOnAClusterMatchesTheLocalSearch() {
        SuccessiveHalving.Result local;
        try (ImageData loaded = data.load()) {
            local = SuccessiveHalving.of(candidates())
                    .budgetEpochs(12)
                    .parallelism(2)
                    .run(loaded);
        }
        SerialisingCluster cluster = new SerialisingCluster();
        SuccessiveHalving.Result remote =
                SuccessiveHalving.of(candidates()).budgetEpochs(12).run(runner(cluster));
        assertEquals(withoutTiming(local.rungs()), withoutTiming(remote.rungs()));
        assertEquals(withoutTiming(local.histories()), withoutTiming(remote.histories()));
        assertEquals(local.best(), remote.best());
        assertEquals(4 + 2, cluster.tasks, "4 candidates in rung 1, 2 in rung 2");
        assertEquals(2, cluster.resumed, "rung 2 continues from rung 1's checkpoints");
        assertTrue(remote.bestHistory().finalValAccuracy() > 0.5, "the winner learned");
    }

    @Test
    void ashaOnAClusterMatchesTheLocalSearch() {
        Asha.Result local;
        try (ImageData loaded = data.load()) {
            local = Asha.of(candidates()).maxEpochs(4).parallelism(1).run(loaded);
        }
        SerialisingCluster cluster = new SerialisingCluster();
        Asha.Result remote = Asha.of(candidates()).maxEpochs(4).run(runner(cluster));
        assertEquals(withoutTiming(local.rungs()), withoutTiming(remote.rungs()));
        assertEquals(withoutTiming(local.histories()), withoutTiming(remote.histories()));
        assertTrue(cluster.resumed > 0, "promotions continue from checkpoints");
    }

    private static SearchRunner runner(ClusterBackend cluster) {
        return SearchRunner.cluster(candidates().stream().map(TrialSpec::of).toList(), data, cluster);
    }

    private static String withoutTiming(Table t) {
        Table copy = t.copy();
        for (String c : List.of(History.SECONDS, History.CUMULATIVE_SECONDS, SuccessiveHalving.RUNG_SECONDS)) {
            if (copy.columnNames().contains(c)) {
                copy.removeColumns(c);
            }
        }
        return copy.printAll();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(value);
            }
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                return (T) in.readObject();
            }
        } catch (IOException | ClassNotFoundException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
