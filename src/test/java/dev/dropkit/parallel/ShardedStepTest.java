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
import dev.dropkit.data.GeneratedSet;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import dev.dropkit.train.WeightDecay;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Data-parallel steps on generated MNIST-format data and a generated batch; one engine thread. */
class ShardedStepTest {
    @RegisterExtension
    static final GeneratedSet SET = new GeneratedSet(600, 200, ImageData.DEFAULT_VALIDATION);

    private static ImageData data() {
        return SET.data();
    }

    private static Training plain() {
        return Training.of(Mlp.seedModel().withDropout(0))
                .sgd(0.1)
                .batchSize(64)
                .epochs(2)
                .seed(7)
                .progress(false);
    }

    @Test
    void shardsGiveTheWholeBatchGradient() {
        for (Training t : new Training[] {plain(), plain().weightDecay(1e-2, WeightDecay.L2_LOSS)}) {
            try (TrainingRun run = t.start(data());
                    NDManager manager = Env.engine().newBaseManager()) {
                manager.getEngine().setRandomSeed(3);
                NDArray x = manager.randomUniform(0, 1, new Shape(37, 784));
                NDArray y = manager.randomInteger(0, 10, new Shape(37), DataType.INT64);
                float[] whole = run.gradients(x, y, 1);
                assertEquals(784 * 128 + 128 + 128 * 10 + 10, whole.length);
                double norm = norm(whole, null);
                assertTrue(norm > 1e-3, "a real gradient, not zeros: |g| = " + norm);
                for (int shards : new int[] {2, 3, 4, 7, 37}) { // uneven shards, and one example per shard
                    double relative = norm(whole, run.gradients(x, y, shards)) / norm;
                    assertTrue(relative < 1e-6, shards + " shards differ by " + relative + " (relative, L2)");
                }
                // The gradient is cleared between calls: asking twice gives the same answer, not twice the answer.
                assertTrue(norm(whole, run.gradients(x, y, 1)) / norm < 1e-6);
            }
        }
    }

    @Test
    void aFailingShardsErrorReachesTheCallerAndCloseStopsTheWorkers() throws InterruptedException {
        try (NDManager manager = Env.engine().newBaseManager()) {
            ShardedStep step = ShardedStep.of(3, List.of(Device.cpu()));
            NDArray w = manager.ones(new Shape());
            w.setRequiresGradient(true);
            ShardedStep.Shard counts = (m, device, from, to, share) -> {
                NDArray rows = w.mul(m.create((float) (to - from)).duplicate());
                rows.attach(m);
                return new ShardedStep.ShardLoss(rows, rows.stopGradient());
            };
            ShardedStep.Shard failsFirst = (m, device, from, to, share) -> {
                if (from == 0) {
                    throw new IllegalStateException("shard 0 failed");
                }
                return counts.loss(m, device, from, to, share);
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> step.run(manager, 9, failsFirst));
            assertEquals("shard 0 failed", e.getMessage());
            assertEquals(9f, step.run(manager, 9, counts).getFloat(), "after a failure the workers still serve");
            step.close();
            for (int i = 0; i < 200 && workerThreads() > 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(0, workerThreads(), "close stops the shard threads");
        }
    }

    private static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("dropkit-shard-worker") && t.isAlive())
                .count();
    }

    /** L2 norm of {@code a - b} ({@code a} when {@code b} is null). */
    private static double norm(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - (b == null ? 0 : b[i]);
            sum += d * d;
        }
        return Math.sqrt(sum);
    }

    @Test
    void trainingWithWorkersFollowsTheOneWorkerRun() {
        History one = plain().fit(data());
        History two = plain().workers(2).fit(data());
        History five = plain().workers(5).fit(data());
        for (History h : List.of(two, five)) {
            for (int e = 0; e < 2; e++) {
                double a = one.table().doubleColumn(History.TRAIN_LOSS).get(e);
                double b = h.table().doubleColumn(History.TRAIN_LOSS).get(e);
                assertEquals(
                        a, b, 1e-4 * a, h.table().intColumn(History.WORKERS).get(0) + " workers, epoch " + (e + 1));
            }
        }
        assertEquals(5, five.table().intColumn(History.WORKERS).get(1));
    }

    @Test
    void shardBoundsCoverTheBatchOnce() {
        for (int n : new int[] {1, 7, 64, 100}) {
            for (int shards = 1; shards <= Math.min(n, 9); shards++) {
                List<Integer> sizes = new ArrayList<>();
                for (int s = 0; s < shards; s++) {
                    sizes.add(ShardedStep.bound(n, s + 1, shards) - ShardedStep.bound(n, s, shards));
                }
                assertEquals(0, ShardedStep.bound(n, 0, shards));
                assertEquals(n, ShardedStep.bound(n, shards, shards));
                int min = sizes.stream().min(Integer::compare).orElseThrow();
                int max = sizes.stream().max(Integer::compare).orElseThrow();
                assertTrue(min >= 1 && max - min <= 1, n + " in " + shards + ": " + sizes);
            }
        }
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> ShardedStep.of(0, List.of(Device.cpu())));
        assertThrows(IllegalArgumentException.class, () -> ShardedStep.of(2, List.of()));
        try (TrainingRun run = plain().start(data())) {
            NDArray x = data().testX().get("0:4");
            NDArray y = data().testY().get("0:4");
            var shards = assertThrows(IllegalArgumentException.class, () -> run.gradients(x, y, 5));
            assertTrue(
                    shards.getMessage().contains("[1, 4]")
                            && !shards.getMessage().contains("\n"),
                    shards.getMessage());
        }
    }
}
