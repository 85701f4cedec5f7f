package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import org.junit.jupiter.api.Test;

class FastDropoutTest {
    private static float[] mask(FastDropout layer, NDManager manager, int n) {
        NDArray ones = manager.ones(new Shape(1, n));
        return layer.forward(new ParameterStore(manager, false), new NDList(ones), true)
                .head()
                .toFloatArray();
    }

    @Test
    void sameSeedSameMasksOtherSeedOtherMasks() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            FastDropout a = new FastDropout(0.5);
            FastDropout b = new FastDropout(0.5);
            a.reseed(7);
            b.reseed(7);
            float[] first = mask(a, manager, 1000);
            assertArrayEquals(first, mask(b, manager, 1000));
            assertArrayEquals(mask(a, manager, 1000), mask(b, manager, 1000), "the sequences stay in step");
            b.reseed(8);
            assertFalse(java.util.Arrays.equals(first, mask(b, manager, 1000)));
        }
    }

    @Test
    void engineSeedMakesLayersReproducible() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            Env.engine().setRandomSeed(3);
            float[] first = mask(new FastDropout(0.3), manager, 500);
            Env.engine().setRandomSeed(3);
            assertArrayEquals(first, mask(new FastDropout(0.3), manager, 500));
        }
    }

    /** Masks of consecutive steps are independent: their correlation is within noise of 0. */
    @Test
    void consecutiveMasksAreUncorrelated() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            FastDropout layer = new FastDropout(0.5);
            layer.reseed(11);
            int n = 100_000;
            float[] m1 = mask(layer, manager, n);
            float[] m2 = mask(layer, manager, n);
            double s1 = 0, s2 = 0, s12 = 0, q1 = 0, q2 = 0;
            for (int i = 0; i < n; i++) {
                s1 += m1[i];
                s2 += m2[i];
                s12 += m1[i] * m2[i];
                q1 += m1[i] * m1[i];
                q2 += m2[i] * m2[i];
            }
            double cov = s12 / n - (s1 / n) * (s2 / n);
            double corr = cov / Math.sqrt((q1 / n - s1 * s1 / n / n) * (q2 / n - s2 * s2 / n / n));
            assertEquals(0, corr, 5 / Math.sqrt(n), "correlation of consecutive masks");
            // and elements of one mask at the strides of a layer's activations (next unit, next example)
            for (int lag : new int[] {1, 2, 128, 4096}) {
                double same = 0;
                for (int i = 0; i + lag < n; i++) {
                    same += m1[i] == m1[i + lag] ? 1 : 0;
                }
                int pairs = n - lag;
                assertEquals(0.5, same / pairs, 5 * Math.sqrt(0.25 / pairs), "elements " + lag + " apart agree");
            }
        }
    }

    /** Each element is kept with probability 1 - p and then scaled by 1/(1-p), at the rates schedules use. */
    @Test
    void keepsOneMinusPAndScalesTheSurvivors() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            for (float p : new float[] {0.05f, 0.2f, 0.5f, 0.8f}) {
                FastDropout layer = new FastDropout(p);
                layer.reseed(5);
                int n = 200_000;
                float[] m = mask(layer, manager, n);
                int kept = 0;
                for (float v : m) {
                    if (v != 0) {
                        assertEquals(1 / (1 - p), v, 1e-6, "a survivor's scale at p = " + p);
                        kept++;
                    }
                }
                double sd = Math.sqrt(p * (1 - p) / n);
                assertEquals(1 - p, kept / (double) n, 5 * sd, "fraction kept at p = " + p);
            }
        }
    }

    @Test
    void thresholdGivesTheKeepProbability() {
        assertEquals(1L << 31, MaskGenerator.threshold(0.5f));
        assertEquals(0, MaskGenerator.threshold(1f));
        assertTrue(MaskGenerator.threshold(0.1f) > MaskGenerator.threshold(0.2f));
    }
}
