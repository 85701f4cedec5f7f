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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Asynchronous successive halving on generated data: rung epochs, promotions from the top 1/eta, the winner. */
class AshaTest {
    @TempDir
    static Path dir;

    private static ImageData data;

    @BeforeAll
    static void load() {
        data = GeneratedData.withValidation(dir, 1000, 200, 0.2);
    }

    @AfterAll
    static void close() {
        data.close();
    }

    /** Four candidates; the tiny learning rate cannot keep up. */
    private static List<Training> candidates() {
        List<Training> c = new ArrayList<>();
        for (double lr : new double[] {0.1, 1e-4, 0.2, 0.05}) {
            c.add(Training.of(Mlp.seedModel()).sgd(lr).progress(false).label("lr " + lr));
        }
        return c;
    }

    private static void checkRungs(Asha.Result result) {
        Table rungs = result.rungs();
        Table first = rungs.where(rungs.intColumn(Asha.RUNG).isEqualTo(1));
        assertEquals(4, first.rowCount(), "every candidate starts at rung 1");
        assertEquals(List.of(1, 1, 1, 1), first.intColumn(RunSummary.EPOCHS).asList(), "minEpochs");
        Table second = rungs.where(rungs.intColumn(Asha.RUNG).isEqualTo(2));
        second.intColumn(RunSummary.EPOCHS).forEach(e -> assertEquals(2, e, "rung 2: 1 x eta epochs"));
        rungs.where(rungs.intColumn(Asha.RUNG).isEqualTo(3))
                .intColumn(RunSummary.EPOCHS)
                .forEach(e -> assertEquals(4, e, "the top rung: maxEpochs"));
        assertTrue(
                second.stringColumn(History.RUN).asList().stream().noneMatch("lr 1.0E-4"::equals),
                "the tiny rate is never promoted");
        assertTrue(rungs.intColumn(Asha.RUNG).max() == 3, "someone reaches the top rung");
        assertTrue(result.bestHistory().epochs() == 4);
        assertEquals(
                java.util.stream.IntStream.rangeClosed(1, rungs.rowCount())
                        .boxed()
                        .toList(),
                rungs.intColumn(Asha.FINISHED).asList(),
                "rows in the order the rung jobs ended");
        assertTrue(result.bestHistory().finalValAccuracy() > 0.5, "the winner learned");
    }

    @Test
    void oneSlotIsReproducibleAndPromotesFromTheTop() {
        var a = Asha.of(candidates())
                .eta(2)
                .minEpochs(1)
                .maxEpochs(4)
                .parallelism(1)
                .run(data);
        var b = Asha.of(candidates())
                .eta(2)
                .minEpochs(1)
                .maxEpochs(4)
                .parallelism(1)
                .run(data);
        checkRungs(a);
        assertEquals(a.best(), b.best());
        assertEquals(a.rungs().printAll(), b.rungs().printAll());
        assertTrue(a.toString().contains("test accuracy"), a.toString());
    }

    @Test
    void twoSlotsPromoteWithoutWaitingForARung() {
        var result = Asha.of(candidates())
                .eta(2)
                .minEpochs(1)
                .maxEpochs(4)
                .parallelism(2)
                .run(data);
        checkRungs(result);
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> Asha.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Asha.of(candidates()).eta(1));
        assertThrows(IllegalArgumentException.class, () -> Asha.of(candidates()).minEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> Asha.of(candidates()).parallelism(0));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Asha.of(candidates()).minEpochs(4).maxEpochs(2).run(data));
        assertTrue(e.getMessage().contains("below the minimum"), e.getMessage());
    }
}
