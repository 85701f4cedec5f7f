package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import dev.dropkit.Env;
import dev.dropkit.data.IdxFixtures;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.LossTerm;
import dev.dropkit.model.Mlp;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The training loop on generated MNIST-format data (no installed data set needed), one engine thread. */
class TrainingLoopTest {
    @TempDir
    static Path tmp;

    private static ImageData data;
    private static ImageData noValidation;
    private static int threads;

    @BeforeAll
    static void load() throws Exception {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 600, 200);
        data = ImageData.fromFolder(dir).validation(0.2).build();
        noValidation = ImageData.fromFolder(dir).validation(0).build();
        threads = Env.threads();
        Env.threads(1);
    }

    @AfterAll
    static void close() {
        Env.threads(threads);
        data.close();
        noValidation.close();
    }

    static Training small(Mlp model) {
        return Training.of(model).sgd(0.1).batchSize(32).epochs(2).seed(11).progress(false);
    }

    /** The history without its timing columns, printed: equal strings mean equal runs. */
    static String withoutTiming(History h) {
        return h.table()
                .copy()
                .removeColumns(History.SECONDS, History.CUMULATIVE_SECONDS)
                .printAll();
    }

    @Test
    void validationLossAndAccuracyAreRecordedEveryEpoch() {
        Table t = small(Mlp.seedModel()).fit(data).table();
        assertEquals(2, t.rowCount());
        for (int e = 0; e < 2; e++) {
            double acc = t.doubleColumn(History.VAL_ACCURACY).get(e);
            double loss = t.doubleColumn(History.VAL_LOSS).get(e);
            assertTrue(acc > 0.5 && acc <= 1, "it learns the generated classes: " + acc);
            assertTrue(loss > 0 && Double.isFinite(loss), "val loss " + loss);
        }
        assertTrue(
                t.doubleColumn(History.VAL_LOSS).get(1)
                        < t.doubleColumn(History.VAL_LOSS).get(0),
                "falls");
        assertTrue(t.doubleColumn(History.TEST_ACCURACY).get(1) > 0.5, "test accuracy is still recorded");
        assertEquals(1, t.intColumn(History.WORKERS).get(0));
        History without = small(Mlp.seedModel()).fit(noValidation);
        assertTrue(without.table().doubleColumn(History.VAL_ACCURACY).isMissing(0), "NaN without a validation set");
        assertFalse(ConsoleProgress.line(without).contains(" val "), ConsoleProgress.line(without));
        History with = small(Mlp.seedModel()).epochs(1).fit(data);
        assertTrue(
                ConsoleProgress.line(with)
                        .contains(String.format(
                                java.util.Locale.ROOT,
                                "  val %.2f%%",
                                100
                                        * with.table()
                                                .doubleColumn(History.VAL_ACCURACY)
                                                .get(0))),
                ConsoleProgress.line(with));
    }

    @Test
    void stopAtStopsOnValidationAccuracyAndNeedsAValidationSet() {
        History h = small(Mlp.seedModel()).epochs(10).stopAt(0.6).fit(data);
        assertTrue(h.epochs() < 10, "stopped after " + h.epochs());
        assertTrue(h.table().doubleColumn(History.VAL_ACCURACY).get(h.epochs() - 1) >= 0.6);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> small(Mlp.seedModel()).stopAt(0.6).fit(noValidation));
        assertTrue(e.getMessage().contains("validation(0.1)") && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void oneWorkerIsExactlyThePlainRun() {
        for (Mlp model : new Mlp[] {Mlp.seedModel(), Mlp.seedModel().withDropoutKind(DropoutKind.FAST)}) {
            String plain = withoutTiming(small(model).fit(data));
            String one = withoutTiming(small(model).workers(1).fit(data));
            assertEquals(plain, one, model.toString());
        }
    }

    @Test
    void twoRunsTrainingAtTheSameTimeGiveTheirSequentialHistories() throws Exception {
        for (DropoutKind kind : DropoutKind.values()) {
            Training a = small(Mlp.seedModel().withDropoutKind(kind)).label("a");
            Training b = small(Mlp.seedModel().withDropoutKind(kind))
                    .seed(12)
                    .momentum(0.9)
                    .label("b");
            String sequentialA = withoutTiming(a.fit(data));
            String sequentialB = withoutTiming(b.fit(data));
            CyclicBarrier start = new CyclicBarrier(2);
            var futureA = CompletableFuture.supplyAsync(() -> afterBarrier(start, a));
            var futureB = CompletableFuture.supplyAsync(() -> afterBarrier(start, b));
            assertEquals(sequentialA, futureA.get(), kind + " dropout, run a");
            assertEquals(sequentialB, futureB.get(), kind + " dropout, run b");
            assertFalse(sequentialA.equals(sequentialB.replace(" b ", " a ")), "two different runs");
        }
    }

    private static String afterBarrier(CyclicBarrier barrier, Training t) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // A fresh thread's engine settings: one intra-op thread is JVM-wide, grad mode is this thread's own.
        return withoutTiming(t.fit(data));
    }

    @Test
    void everyOptionWorksWithSeveralWorkers() {
        Training base = small(Mlp.seedModel()).epochs(3).workers(3);
        for (Training t : new Training[] {
            base.copy().dropout(Schedule.curriculum(0.5, 1)),
            base.copy().weightDecay(1e-3, WeightDecay.L2_GRADIENT),
            base.copy().weightDecay(1e-3, WeightDecay.L2_LOSS),
            base.copy().weightDecay(1e-3, WeightDecay.DECOUPLED).momentum(0.9),
            base.copy()
                    .sgd(Schedule.constant(0.1).withWarmup(1))
                    .model(Mlp.seedModel().withDropoutKind(DropoutKind.FAST))
        }) {
            History h = t.fit(data);
            assertEquals(3, h.epochs());
            assertEquals(3, h.table().intColumn(History.WORKERS).get(2));
            assertTrue(h.table().doubleColumn(History.VAL_ACCURACY).get(2) > 0.6, "learns: " + h);
        }
    }

    @Test
    void badWorkerCountsAreOneLineErrors() {
        Training t = small(Mlp.seedModel());
        var low = assertThrows(IllegalArgumentException.class, () -> t.workers(0));
        assertTrue(low.getMessage().contains("[1, 32]"), low.getMessage());
        var high = assertThrows(IllegalArgumentException.class, () -> t.copy().workers(33));
        assertTrue(high.getMessage().contains("33") && high.getMessage().contains("batch of 32"), high.getMessage());
        var smaller = assertThrows(
                IllegalArgumentException.class, () -> t.copy().workers(8).batchSize(4));
        assertTrue(smaller.getMessage().contains("8 workers"), smaller.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.copy().devices(java.util.List.of()));
        var twice = assertThrows(IllegalArgumentException.class, () -> t.copy()
                .devices(java.util.List.of(ai.djl.Device.cpu(), ai.djl.Device.cpu())));
        assertTrue(twice.getMessage().contains("workers"), twice.getMessage());
    }

    /** An identity layer with one parameter {@code a} whose loss term is {@code c * a^2}. */
    static final class Penalised extends AbstractBlock implements LossTerm {
        final Parameter a = addParameter(Parameter.builder()
                .setName("a")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(new ConstantInitializer(0.5f))
                .build());
        final float c;

        Penalised(float c) {
            super((byte) 1);
            this.c = c;
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            return inputs;
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }

        @Override
        public NDArray lossTerm() {
            return a.getArray().square().sum().mul(c);
        }
    }

    @Test
    void lossTermsOfLayersAreAddedToTheObjective() {
        Mlp description = Mlp.builder().hidden(8, 0).build();
        float c = 0.3f;
        for (int shards : new int[] {1, 4}) {
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(8).build())
                    .add(new Penalised(c))
                    .add(Linear.builder().setUnits(10).build());
            try (TrainingRun run = new TrainingRun(small(description), data, block);
                    NDManager m = Env.engine().newBaseManager()) {
                NDArray x = m.randomUniform(0, 1, new Shape(16, 784));
                NDArray y = m.randomInteger(0, 10, new Shape(16), DataType.INT64);
                float[] g = run.gradients(x, y, shards);
                // Parameters in order: linear weight (8x784), bias (8), a, then the output layer.
                float gradA = g[8 * 784 + 8];
                assertEquals(2 * c * 0.5f, gradA, 1e-6, shards + " shards: d(c a^2)/da at a = 0.5");
            }
        }
    }
}
