package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import dev.dropkit.Env;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A compact slice's copy and SGD step, through the tensors' memory from Java (the CPU path) and through the engine's
 * indexing (the path off the CPU), against the same step written out by hand: leaf = W[rows, columns] * scale, loss
 * = sum(leaf * R), so the leaf's gradient is R and the parameter's is R * scale inside the slice, 0 outside.
 */
class CompactSliceTest {
    private static final float LR = 0.1f;
    private static final float DECAY = 0.05f;

    @Test
    void rowsOfAMatrix() {
        check(false, new int[] {1, 3, 4}, null, null);
    }

    @Test
    void scaledColumnsOfAMatrix() {
        check(false, null, new int[] {0, 2, 3}, new float[] {2f, 0f, 2f});
    }

    @Test
    void aBlockOfRowsAndScaledColumns() {
        check(false, new int[] {0, 5}, new int[] {1, 4}, new float[] {1.25f, 0f});
    }

    @Test
    void entriesOfAVector() {
        check(true, new int[] {2, 3, 5}, null, null);
    }

    @Test
    void writesThroughACpuTensorsDirectBufferReachTheTensor() {
        assertTrue(Env.cpuMemoryWritesThrough(), "else every slice takes the engine path on the CPU too");
    }

    @Test
    void paddingAddsDroppedUnitsUpToAMultipleOfEightAndScalesThemByZero() {
        int[] kept = {1, 4, 9, 10, 30};
        int[] used = StructuredMlpBlock.padded(kept, 40);
        assertEquals(8, used.length);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 9, 10, 30}, used, "the kept and the lowest dropped units");
        float[] scale = StructuredMlpBlock.scales(kept, used, 2f);
        for (int j = 0; j < used.length; j++) {
            int unit = used[j];
            boolean isKept = Arrays.stream(kept).anyMatch(k -> k == unit);
            assertEquals(isKept ? 2f : 0f, scale[j], "unit " + used[j]);
        }
        assertEquals(6, StructuredMlpBlock.padded(new int[] {0, 1, 2, 3, 4}, 6).length, "at most all units");
        int[] eight = {0, 2, 4, 6, 8, 10, 12, 14};
        assertTrue(eight == StructuredMlpBlock.padded(eight, 16), "a multiple of 8 stays as it is");
    }

    /** The slice of a 6×5 weight (or the 6 biases) updated both ways and by hand: the same values. */
    private static void check(boolean bias, int[] rows, int[] columns, float[] scale) {
        float[] byJava = step(bias, rows, columns, scale, true);
        float[] byEngine = step(bias, rows, columns, scale, false);
        float[] byHand = byHand(bias, rows, columns, scale);
        assertArrayEquals(byHand, byJava, 1e-6f, "through Java memory");
        assertArrayEquals(byHand, byEngine, 1e-6f, "through the engine's indexing");
    }

    private static float[] initial(boolean bias) {
        float[] w = new float[bias ? 6 : 30];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7 - 3) * 0.25f + 0.1f;
        }
        return w;
    }

    private static float r(int k) {
        return (k % 5) - 1.5f;
    }

    private static float[] step(boolean bias, int[] rows, int[] columns, float[] scale, boolean throughJava) {
        try (NDManager manager = Env.engine().newBaseManager()) {
            Linear linear = Linear.builder().setUnits(6).build();
            linear.initialize(manager, DataType.FLOAT32, new Shape(1, 5));
            Parameter p = linear.getParameters().get(bias ? "bias" : "weight");
            p.getArray().set(initial(bias));
            try (NDManager step = manager.newSubManager()) {
                CompactSlice slice = CompactSlice.gather(p, p.getArray(), rows, columns, scale, step, throughJava);
                float[] leaf = slice.leaf().toFloatArray();
                float[] expected = gathered(bias, rows, columns, scale);
                assertArrayEquals(expected, leaf, 1e-7f, "the leaf holds the scaled slice");
                float[] weights = new float[leaf.length];
                for (int k = 0; k < weights.length; k++) {
                    weights[k] = r(k);
                }
                try (GradientCollector gc = Env.engine().newGradientCollector()) {
                    gc.backward(slice.leaf()
                            .mul(step.create(weights, slice.leaf().getShape()))
                            .sum());
                }
                assertNotNull(slice.leaf().getGradient());
                boolean recording = Env.gradMode(false);
                try {
                    slice.sgd(LR, DECAY, throughJava);
                } finally {
                    Env.gradMode(recording);
                }
            }
            return p.getArray().toFloatArray();
        }
    }

    private static float[] gathered(boolean bias, int[] rows, int[] columns, float[] scale) {
        float[] w = initial(bias);
        int width = bias ? 1 : 5;
        int[] rs = rows != null ? rows : new int[] {0, 1, 2, 3, 4, 5};
        int[] cs = columns != null ? columns : (bias ? new int[] {0} : new int[] {0, 1, 2, 3, 4});
        float[] out = new float[rs.length * cs.length];
        for (int i = 0, k = 0; i < rs.length; i++) {
            for (int j = 0; j < cs.length; j++, k++) {
                out[k] = w[rs[i] * width + cs[j]] * (scale != null ? scale[j] : 1f);
            }
        }
        return out;
    }

    private static float[] byHand(boolean bias, int[] rows, int[] columns, float[] scale) {
        float[] w = initial(bias);
        int width = bias ? 1 : 5;
        for (int i = 0; i < w.length; i++) {
            w[i] *= 1f - LR * DECAY;
        }
        int[] rs = rows != null ? rows : new int[] {0, 1, 2, 3, 4, 5};
        int[] cs = columns != null ? columns : (bias ? new int[] {0} : new int[] {0, 1, 2, 3, 4});
        for (int i = 0, k = 0; i < rs.length; i++) {
            for (int j = 0; j < cs.length; j++, k++) {
                w[rs[i] * width + cs[j]] += -LR * r(k) * (scale != null ? scale[j] : 1f);
            }
        }
        return w;
    }
}
