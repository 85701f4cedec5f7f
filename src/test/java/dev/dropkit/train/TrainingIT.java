package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** Real MNIST (installed by ./run setup), 2,000 training images (1,800 + 200 validation) and 1,000 test images. */
class TrainingIT {
    private static ImageData mnist;

    @BeforeAll
    static void load() {
        mnist = ImageData.builder("mnist").trainSubset(2000).testSubset(1000).build();
    }

    @AfterAll
    static void close() {
        mnist.close();
    }

    @Test
    void seedModelLearnsMnistSubset() {
        History h = Training.of(Mlp.seedModel())
                .sgd(0.1)
                .batchSize(64)
                .epochs(8)
                .progress(false)
                .fit(mnist);
        assertEquals(8, h.epochs());
        assertTrue(h.finalTestAccuracy() > 0.85, "test accuracy " + h.finalTestAccuracy());
        Table t = h.table();
        double firstLoss = t.doubleColumn(History.TRAIN_LOSS).get(0);
        assertTrue(t.doubleColumn(History.TRAIN_LOSS).get(7) < firstLoss, "loss falls");
    }

    @Test
    void historyHasOneRowPerEpochWithTheDocumentedColumns() {
        History h = Training.of(Mlp.seedModel())
                .sgd(0.05)
                .epochs(2)
                .label("tiny")
                .progress(false)
                .fit(mnist);
        Table t = h.table();
        assertEquals(
                List.of(
                        "run",
                        "dropout",
                        "lr",
                        "momentum",
                        "weight_decay",
                        "batch_size",
                        "workers",
                        "epoch",
                        "train_loss",
                        "train_accuracy",
                        "val_loss",
                        "val_accuracy",
                        "test_accuracy",
                        "weight_norm",
                        "seconds",
                        "cumulative_seconds"),
                t.columnNames());
        assertEquals(2, t.rowCount());
        assertEquals("tiny", t.stringColumn("run").get(1));
        assertEquals(0.5, t.doubleColumn("dropout").get(0));
        assertEquals(2, t.intColumn("epoch").get(1));
        double s1 = t.doubleColumn("seconds").get(0);
        double s2 = t.doubleColumn("seconds").get(1);
        assertTrue(s1 > 0 && s2 > 0);
        assertEquals(s1 + s2, t.doubleColumn("cumulative_seconds").get(1), 1e-9);
    }

    @Test
    void sameSeedAndOneThreadGiveTheSameHistory() {
        int threads = Env.threads();
        Env.threads(1);
        try {
            Training run =
                    Training.of(Mlp.seedModel()).sgd(0.1).epochs(2).seed(5).progress(false);
            Table a = run.fit(mnist).table().removeColumns("seconds", "cumulative_seconds");
            Table b = run.fit(mnist).table().removeColumns("seconds", "cumulative_seconds");
            assertEquals(a.printAll(), b.printAll());
            Table c = run.seed(6).fit(mnist).table().removeColumns("seconds", "cumulative_seconds");
            assertTrue(!a.printAll().equals(c.printAll()), "another seed gives another run");
        } finally {
            Env.threads(threads);
        }
    }

    @Test
    void badSettingsGiveOneLineErrors() {
        Training t = Training.of(Mlp.seedModel());
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> t.sgd(0)), "learning rate 0.0 must be a positive");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.sgd(-1)), "learning rate -1.0");
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> t.batchSize(0)), "batch size 0 must be at least 1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.epochs(0)), "epoch count 0");
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> t.momentum(1)), "momentum 1.0 is outside [0, 1)");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> t.weightDecay(-1e-4)), "weight decay");
        assertMessage(
                assertThrows(IllegalArgumentException.class, () -> Training.of(
                                Mlp.builder().inputs(100).hidden(8, 0).build())
                        .fit(mnist)),
                "expects 100 inputs");
    }

    private static void assertMessage(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
