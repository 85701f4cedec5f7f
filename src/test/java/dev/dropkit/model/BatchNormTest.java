package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchNormTest {
    private static NDArray forward(Block block, NDManager manager, NDArray x, boolean training) {
        return block.forward(new ParameterStore(manager, false), new NDList(x), training)
                .head();
    }

    private static float[] column(float[] values, int columns, int column) {
        float[] c = new float[values.length / columns];
        for (int i = 0; i < c.length; i++) {
            c[i] = values[i * columns + column];
        }
        return c;
    }

    private static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double variance(float[] v, boolean unbiased) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return s / (unbiased ? v.length - 1 : v.length);
    }

    /** Training mode: each unit normalised by this batch's own mean and (biased) variance, gamma 1 and beta 0. */
    @Test
    void trainModeNormalisesEachUnitPerBatch() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer();
            bn.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            NDArray x = manager.randomNormal(0f, 1f, new Shape(64, 3), DataType.FLOAT32)
                    .mul(manager.create(new float[] {1f, 5f, 0.2f}))
                    .add(manager.create(new float[] {3f, -2f, 10f}));
            float[] in = x.toFloatArray();
            float[] out = forward(bn, manager, x, true).toFloatArray();
            for (int unit = 0; unit < 3; unit++) {
                float[] c = column(out, 3, unit);
                assertEquals(0, mean(c), 1e-4, "mean of unit " + unit);
                assertEquals(1, variance(c, false), 1e-3, "variance of unit " + unit);
                float[] raw = column(in, 3, unit);
                double expected = (raw[0] - mean(raw)) / Math.sqrt(variance(raw, false) + 1e-5);
                assertEquals(expected, c[0], 1e-3);
            }
            NDArray shifted = forward(bn, manager, x.add(100), true);
            assertTrue(
                    shifted.allClose(manager.create(out, new Shape(64, 3)), 1e-3, 1e-3, false),
                    "a shifted batch normalises to the same output: the batch's own statistics are used");
        }
    }

    /**
     * Running statistics move towards each training batch's (momentum 0.9, unbiased variance as PyTorch keeps it),
     * inference uses them and leaves them alone, so the same input gives the same output.
     */
    @Test
    void inferenceUsesFrozenRunningStatistics() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer();
            bn.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            assertArrayEquals(new float[] {0, 0}, bn.runningMean().toFloatArray());
            assertArrayEquals(new float[] {1, 1}, bn.runningVariance().toFloatArray());
            NDArray x = manager.create(new float[] {1, 10, 3, 20, 5, 30, 7, 40}, new Shape(4, 2));
            forward(bn, manager, x, true);
            // batch means 4 and 25, unbiased variances 20/3 and 500/3
            assertArrayEquals(
                    new float[] {0.1f * 4, 0.1f * 25}, bn.runningMean().toFloatArray(), 1e-5f);
            assertArrayEquals(
                    new float[] {0.9f + 0.1f * 20 / 3, 0.9f + 0.1f * 500 / 3},
                    bn.runningVariance().toFloatArray(),
                    1e-4f);

            float[] mean = bn.runningMean().toFloatArray();
            float[] var = bn.runningVariance().toFloatArray();
            NDArray probe = manager.create(new float[] {2, 15}, new Shape(1, 2));
            float[] first = forward(bn, manager, probe, false).toFloatArray();
            for (int unit = 0; unit < 2; unit++) {
                double expected = (probe.toFloatArray()[unit] - mean[unit]) / Math.sqrt(var[unit] + 1e-5);
                assertEquals(expected, first[unit], 1e-4, "inference normalises by the running statistics");
            }
            assertArrayEquals(first, forward(bn, manager, probe, false).toFloatArray(), "same input, same output");
            assertArrayEquals(mean, bn.runningMean().toFloatArray(), "inference leaves the running mean");
            assertArrayEquals(var, bn.runningVariance().toFloatArray(), "inference leaves the running variance");
            assertEquals(
                    1, forward(bn, manager, probe, false).getShape().get(0), "a batch of one is fine at inference");
        }
    }

    @Test
    void aTrainingBatchOfOneIsAOneLineError() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            BatchNormLayer bn = new BatchNormLayer();
            bn.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> forward(bn, manager, manager.ones(new Shape(1, 2)), true));
            assertTrue(e.getMessage().contains("at least 2 examples"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        Mlp bn = Mlp.seedModel().withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN);
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> bn.checkBatchSize(1, 1000));
        assertTrue(one.getMessage().contains("batch size of 2 or more"), one.getMessage());
        IllegalArgumentException last = assertThrows(IllegalArgumentException.class, () -> bn.checkBatchSize(128, 257));
        assertTrue(last.getMessage().contains("last batch of each epoch holds 1 example,"), last.getMessage());
        IllegalArgumentException shards =
                assertThrows(IllegalArgumentException.class, () -> bn.checkBatchSize(6, 600, 4));
        assertTrue(shards.getMessage().contains("use a batch of at least 8 or fewer workers"), shards.getMessage());
        IllegalArgumentException lastShards =
                assertThrows(IllegalArgumentException.class, () -> bn.checkBatchSize(128, 128 * 10 + 7, 4));
        assertTrue(lastShards.getMessage().contains("holds 7 examples over 4 workers"), lastShards.getMessage());
        assertFalse(lastShards.getMessage().contains("\n"));
        bn.checkBatchSize(128, 128 * 10 + 8, 4);
        assertFalse(last.getMessage().contains("\n"));
        bn.checkBatchSize(128, 256);
        bn.checkBatchSize(2, 1000);
        Mlp.seedModel().checkBatchSize(1, 1000); // no batch normalization: any batch size
    }

    @Test
    void ordersAreParsedByLabelOrNameAndUnknownOnesNamed() {
        assertEquals(BatchNormOrder.DROPOUT_BEFORE_BN, BatchNormOrder.parse("before"));
        assertEquals(BatchNormOrder.DROPOUT_AFTER_LAST_BN, BatchNormOrder.parse("after-last"));
        assertEquals(BatchNormOrder.DROPOUT_AFTER_LAST_BN, BatchNormOrder.parse("DROPOUT_AFTER_LAST_BN"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchNormOrder.parse("middle"));
        assertEquals(
                "unknown batch-norm order 'middle': use one of before, after, after-last (where dropout goes"
                        + " relative to batch normalization)",
                e.getMessage());
    }

    private static List<String> layers(Mlp mlp) {
        return mlp.block().getChildren().values().stream()
                .map(b -> b instanceof DropoutLayer
                        ? "dropout"
                        : b instanceof BatchNormLayer ? "bn" : b instanceof Linear ? "linear" : "relu")
                .toList();
    }

    @Test
    void eachOrderPlacesDropoutAsDocumented() {
        Mlp two = Mlp.builder().hidden(32, 0.3).hidden(16, 0.5).build();
        assertEquals(
                List.of("linear", "dropout", "bn", "relu", "linear", "dropout", "bn", "relu", "linear"),
                layers(two.withBatchNorm(BatchNormOrder.DROPOUT_BEFORE_BN)));
        assertEquals(
                List.of("linear", "bn", "relu", "dropout", "linear", "bn", "relu", "dropout", "linear"),
                layers(two.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN)));
        assertEquals(
                List.of("linear", "bn", "relu", "linear", "bn", "relu", "dropout", "linear"),
                layers(two.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_LAST_BN)));
        assertEquals(List.of("linear", "relu", "dropout", "linear", "relu", "dropout", "linear"), layers(two));

        assertEquals(
                "784-32(dropout 0.3, bn)-16(dropout 0.5, bn)-10",
                two.withBatchNorm(BatchNormOrder.DROPOUT_BEFORE_BN).toString());
        assertEquals(
                "784-32(bn, dropout 0.3)-16(bn, dropout 0.5)-10",
                two.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN).toString());
        assertEquals(
                "784-32(bn)-16(bn, fast dropout 0.5)-10",
                two.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_LAST_BN)
                        .withDropoutKind(DropoutKind.FAST)
                        .toString());
        assertEquals(
                "784-128(bn)-10",
                Mlp.seedModel()
                        .withDropout(0)
                        .withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN)
                        .toString());
        assertEquals(
                "784-128(dropout 0.5)-10",
                Mlp.seedModel()
                        .withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN)
                        .withoutBatchNorm()
                        .toString());
        assertEquals(
                BatchNormOrder.DROPOUT_AFTER_BN,
                Mlp.builder()
                        .hidden(8, 0.1)
                        .batchNorm(BatchNormOrder.DROPOUT_AFTER_BN)
                        .build()
                        .batchNorm()
                        .orElseThrow());
    }

    @Test
    void hiddenLinearsLoseTheirBiasUnderBatchNorm() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            SequentialBlock block = Mlp.seedModel()
                    .withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN)
                    .block();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 784));
            long trainable = block.getParameters().values().stream()
                    .filter(p -> p.requiresGradient())
                    .mapToLong(p -> p.getArray().size())
                    .sum();
            assertEquals(784L * 128 + 2 * 128 + 128L * 10 + 10, trainable, "weights, gamma, beta, output layer");
        }
    }

    @Test
    void combinationsThatCannotWorkAreOneLineErrors() {
        IllegalArgumentException structured = assertThrows(IllegalArgumentException.class, () -> Mlp.seedModel()
                .withDropoutKind(DropoutKind.STRUCTURED)
                .withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN));
        assertTrue(structured.getMessage().contains("structured"), structured.getMessage());
        IllegalArgumentException concrete = assertThrows(IllegalArgumentException.class, () -> Mlp.builder()
                .hidden(8, 0.5)
                .dropoutKind(DropoutKind.CONCRETE)
                .batchNorm(BatchNormOrder.DROPOUT_BEFORE_BN)
                .build());
        assertTrue(concrete.getMessage().contains("DROPOUT_AFTER_BN"), concrete.getMessage());
        assertFalse(concrete.getMessage().contains("\n"));
    }

    /** A whole MLP with BN: in inference mode the same input gives the same output, in training mode it does not. */
    @Test
    void mlpInferenceIsDeterministic() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            SequentialBlock block = Mlp.builder()
                    .inputs(6)
                    .hidden(8, 0.5)
                    .outputs(3)
                    .batchNorm(BatchNormOrder.DROPOUT_BEFORE_BN)
                    .build()
                    .block();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 6));
            NDArray x = manager.randomNormal(new Shape(16, 6));
            for (int i = 0; i < 3; i++) {
                forward(block, manager, x, true); // moves the running statistics
            }
            float[] a = forward(block, manager, x, false).toFloatArray();
            assertArrayEquals(a, forward(block, manager, x, false).toFloatArray());
            NDArray row = x.get("0:1");
            assertArrayEquals(
                    java.util.Arrays.copyOf(a, 3),
                    forward(block, manager, row, false).toFloatArray(),
                    1e-5f,
                    "an example's output does not depend on the rest of the batch at inference");
        }
    }
    /** Running statistics after many training batches, then the shift measured at inference on the same data. */
    private static VarianceShift shiftAfterTraining(BatchNormOrder order, NDManager manager) {
        SequentialBlock block = Mlp.builder()
                .inputs(20)
                .hidden(32, 0.5)
                .outputs(3)
                .batchNorm(order)
                .build()
                .block();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 20));
        NDArray x = manager.randomUniform(0f, 1f, new Shape(512, 20));
        for (int step = 0; step < 80; step++) {
            forward(block, manager, x, true);
        }
        List<VarianceShift> shifts = VarianceShift.measure(block, x);
        assertEquals(1, shifts.size());
        return shifts.get(0);
    }

    /**
     * Dropout before BN: BN learns the variance of dropped inputs (larger, by about 1/(1-p) for inputs far from 0)
     * and divides the undropped inference inputs by it. Dropout after the only BN: no shift.
     */
    @Test
    void dropoutBeforeBatchNormShiftsTheVarianceAndAfterItDoesNot() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            Env.engine().setRandomSeed(2);
            VarianceShift before = shiftAfterTraining(BatchNormOrder.DROPOUT_BEFORE_BN, manager);
            VarianceShift after = shiftAfterTraining(BatchNormOrder.DROPOUT_AFTER_BN, manager);
            assertTrue(before.ratio() > 1.5, "dropout before BN: " + before);
            assertEquals(1, after.ratio(), 0.05, "dropout after BN: " + after);
            assertEquals(after.inferenceMean(), after.runningMean(), 0.05 * Math.abs(after.inferenceMean()) + 1e-3);
        }
    }
}
