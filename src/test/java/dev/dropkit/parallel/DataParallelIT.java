package dev.dropkit.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.WeightDecay;
import dev.dropkit.train.Schedule;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** Real MNIST (installed by ./run setup), 1,024 training and 512 test images; gradients on a generated batch. */
class DataParallelIT {
    private static ImageData mnist;

    @BeforeAll
    static void load() {
        mnist = ImageData.builder("mnist").trainSubset(1024).testSubset(512).build();
    }

    @AfterAll
    static void close() {
        mnist.close();
    }

    private static Training plain() {
        return Training.of(Mlp.seedModel().withDropout(0)).sgd(0.1).batchSize(64).epochs(2).seed(7).progress(false);
    }

    @Test
    void splitAndAveragedGradientEqualsTheWholeBatchGradient() {
        try (DataParallelRun run = DataParallel.of(plain()).workers(4).start(mnist);
                NDManager manager = Env.engine().newBaseManager()) {
            manager.getEngine().setRandomSeed(3);
            NDArray x = manager.randomUniform(0, 1, new Shape(37, 784));
            NDArray y = manager.randomInteger(0, 10, new Shape(37), DataType.INT64);
            float[] whole = run.gradients(x, y, 1);
            assertEquals(784 * 128 + 128 + 128 * 10 + 10, whole.length);
            double scale = 0;
            for (float g : whole) {
                scale = Math.max(scale, Math.abs(g));
            }
            assertTrue(scale > 1e-4, "a real gradient, not zeros: max |g| = " + scale);
            for (int shards : new int[] {2, 4, 7, 37}) {   // 7 and 37: uneven shards and one example per shard
                float[] split = run.gradients(x, y, shards);
                double worst = 0;
                for (int i = 0; i < whole.length; i++) {
                    worst = Math.max(worst, Math.abs(whole[i] - split[i]));
                }
                assertTrue(worst < 1e-5 * Math.max(1, scale), shards + " shards differ by " + worst);
            }
            // The gradient is cleared between calls: asking twice gives the same answer, not twice the answer.
            float[] again = run.gradients(x, y, 1);
            assertEquals(whole[0], again[0], 1e-6 * Math.max(1, Math.abs(whole[0])));
        }
    }

    @Test
    void trainingWithWorkersFollowsTheSingleWorkerRun() {
        Table one = DataParallel.of(plain()).workers(1).fit(mnist);
        Table three = DataParallel.of(plain()).workers(3).fit(mnist);
        assertEquals(2, three.rowCount());
        assertEquals(3, three.intColumn(DataParallelRun.WORKERS).get(0));
        for (int e = 0; e < 2; e++) {
            double a = one.doubleColumn(History.TRAIN_LOSS).get(e);
            double b = three.doubleColumn(History.TRAIN_LOSS).get(e);
            assertEquals(a, b, 1e-3 * a, "epoch " + (e + 1) + " loss");
        }
        assertTrue(three.doubleColumn(History.TEST_ACCURACY).get(1) > 0.75,
                "it learns: " + three.doubleColumn(History.TEST_ACCURACY).get(1));
        assertTrue(three.doubleColumn(DataParallelRun.SAMPLES_PER_SECOND).get(0) > 0);
    }

    @Test
    void stopsAtTheTarget() {
        Table h = DataParallel.of(plain().epochs(5).stopAt(0.5)).workers(2).fit(mnist);
        assertTrue(h.rowCount() < 5, "stopped early at " + h.rowCount());
        assertTrue(h.doubleColumn(History.TEST_ACCURACY).get(h.rowCount() - 1) >= 0.5);
    }

    @Test
    void followsTheLearningRateSchedule() {
        Table h = DataParallel.of(plain().sgd(Schedule.constant(0.1).withWarmup(2)).epochs(3)).workers(2).fit(mnist);
        // The lr column holds the rate of the epoch's last step: halfway through the warm-up after epoch 1.
        assertEquals(0.05, h.doubleColumn("lr").get(0), 0.01);
        assertEquals(0.1, h.doubleColumn("lr").get(2), 1e-9);
    }

    @Test
    void badWorkerCountsAndDevicesAreOneLineErrors() {
        var low = assertThrows(IllegalArgumentException.class, () -> DataParallel.of(plain()).workers(0));
        assertTrue(low.getMessage().contains("0") && low.getMessage().contains("[1, 64]"), low.getMessage());
        var high = assertThrows(IllegalArgumentException.class, () -> DataParallel.of(plain()).workers(65));
        assertTrue(high.getMessage().contains("65") && high.getMessage().contains("64"), high.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataParallel.of(plain()).devices(List.of()));
        var twice = assertThrows(IllegalArgumentException.class,
                () -> DataParallel.of(plain()).devices(List.of(Device.cpu(), Device.cpu())));
        assertTrue(twice.getMessage().contains("workers"), twice.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DataParallel.of(plain().weightDecay(1e-4, WeightDecay.DECOUPLED)));
        assertThrows(IllegalArgumentException.class,
                () -> DataParallel.of(plain().dropout(Schedule.constant(0.5))));
        try (DataParallelRun run = DataParallel.of(plain()).start(mnist)) {
            NDArray x = mnist.testX().get("0:4");
            NDArray y = mnist.testY().get("0:4");
            var shards = assertThrows(IllegalArgumentException.class, () -> run.gradients(x, y, 5));
            assertTrue(shards.getMessage().contains("[1, 4]"), shards.getMessage());
        }
    }
}
