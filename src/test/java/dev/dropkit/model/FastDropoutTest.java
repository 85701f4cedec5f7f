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
            // and neighbouring elements of one mask (two come from one 64-bit draw)
            double same = 0;
            for (int i = 0; i + 1 < n; i += 2) {
                same += m1[i] == m1[i + 1] ? 1 : 0;
            }
            assertEquals(0.5, same / (n / 2), 5 * Math.sqrt(0.25 / (n / 2)), "pairs from one draw agree half the time");
        }
    }

    @Test
    void thresholdGivesTheKeepProbability() {
        assertEquals(1L << 31, MaskGenerator.threshold(0.5f));
        assertEquals(0, MaskGenerator.threshold(1f));
        assertTrue(MaskGenerator.threshold(0.1f) > MaskGenerator.threshold(0.2f));
    }
}
