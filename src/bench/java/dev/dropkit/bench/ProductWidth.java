package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.dropkit.Env;
import java.util.Locale;

/**
 * What the engine's products cost by the hidden layer's width, the seed model's first layer on a minibatch of 128:
 * the forward product {@code x · Wᵀ + b} (x 128×784, W width×784) and the weight-gradient product {@code dhᵀ · x}
 * (dh 128×width), microseconds per call (median of rounds, one thread) for every width from 48 to 96. Structured
 * dropout keeps a binomial number of the 128 hidden units each step (64 on average at p = 0.5), so its products run
 * at these widths, not at 64 alone.
 *
 * <pre>java -cp ... dev.dropkit.bench.ProductWidth</pre>
 */
public final class ProductWidth {
    private static final int ROUNDS = 5;
    private static final int CALLS = 200;

    private ProductWidth() {}

    public static void main(String[] args) {
        Env.threads(1);
        boolean recording = Env.gradMode(false);
        try (NDManager m = Env.engine().newBaseManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(128, 784));
            System.out.println("width  forward_us  weight_gradient_us   (x 128x784, one thread, median of " + ROUNDS
                    + " rounds of " + CALLS + " calls)");
            for (int width = 48; width <= 96; width++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray w = s.randomUniform(-1, 1, new Shape(width, 784));
                    NDArray b = s.zeros(new Shape(width));
                    NDArray dh = s.randomUniform(-1, 1, new Shape(128, width));
                    double forward = median(() -> Linear.linear(x, w, b).head());
                    double gradient = median(() -> dh.transpose().matMul(x));
                    System.out.println(String.format(Locale.ROOT, "%5d  %10.1f  %18.1f", width, forward, gradient));
                }
            }
        } finally {
            Env.gradMode(recording);
        }
    }

    /** Median over rounds of the microseconds per call of {@code product} (its result freed at once). */
    private static double median(java.util.function.Supplier<NDArray> product) {
        double[] us = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                product.get().close();
            }
            if (r >= 0) {
                us[r] = (System.nanoTime() - t0) / 1e3 / CALLS;
            }
        }
        java.util.Arrays.sort(us);
        return us[ROUNDS / 2];
    }
}
