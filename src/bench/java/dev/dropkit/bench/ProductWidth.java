package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import java.util.Locale;
import java.util.Random;

/**
 * What halving the hidden layer's width buys in the products of one training step, measured where the loop runs
 * them: for every minibatch of an MNIST epoch (128 fresh images gathered from the training set, as the loop does),
 * the first layer's forward product {@code x · Wᵀ + b} and its weight-gradient product {@code dhᵀ · x}, each with
 * all 128 hidden units and with 64 gathered rows (structured dropout at p = 0.5), taking turns. Prints milliseconds
 * per epoch, GFLOP/s and the half-width products' share of the full-width ones (0.5 would be proportional).
 *
 * <pre>java -cp ... dev.dropkit.bench.ProductWidth [epochs]</pre>
 */
public final class ProductWidth {
    private ProductWidth() {}

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Env.threads(1);
        Random random = new Random(42);
        try (ImageData data = ImageData.builder("mnist").validation(0).build();
                NDManager m = data.manager().newSubManager()) {
            NDArray w = m.randomUniform(-0.05f, 0.05f, new Shape(128, 784));
            NDArray b = m.zeros(new Shape(128));
            int n = data.trainSize();
            int steps = n / 128;
            double[] ns = new double[4]; // forward full, forward half, gradient full, gradient half
            boolean recording = Env.gradMode(false);
            try {
                for (int e = 0; e < epochs + 1; e++) { // the first epoch warms up
                    double[] epoch = new double[4];
                    for (int s = 0; s < steps; s++) {
                        try (NDManager step = m.newSubManager()) {
                            long[] rows = new long[128];
                            for (int i = 0; i < rows.length; i++) {
                                rows[i] = random.nextInt(n);
                            }
                            NDArray x = Env.gatherRows(data.trainX(), step.create(rows));
                            long[] kept = random.ints(0, 128)
                                    .distinct()
                                    .limit(64)
                                    .sorted()
                                    .asLongStream()
                                    .toArray();
                            NDArray keptRows = step.create(kept);
                            NDArray wk = Env.gatherRows(w, keptRows);
                            NDArray bk =
                                    Env.gatherRows(b.reshape(128, 1), keptRows).reshape(64);
                            NDArray dh = step.randomUniform(-1, 1, new Shape(128, 128));
                            NDArray dhk = step.randomUniform(-1, 1, new Shape(128, 64));
                            boolean halfFirst = s % 2 == 0;
                            for (int k = 0; k < 2; k++) {
                                boolean half = halfFirst == (k == 0);
                                long t0 = System.nanoTime();
                                Linear.linear(x, half ? wk : w, half ? bk : b)
                                        .head()
                                        .close();
                                long t1 = System.nanoTime();
                                (half ? dhk : dh).transpose().matMul(x).close();
                                long t2 = System.nanoTime();
                                epoch[half ? 1 : 0] += t1 - t0;
                                epoch[half ? 3 : 2] += t2 - t1;
                            }
                        }
                    }
                    if (e > 0) {
                        for (int i = 0; i < 4; i++) {
                            ns[i] += epoch[i] / epochs;
                        }
                    }
                }
            } finally {
                Env.gradMode(recording);
            }
            double fullFlop = 2.0 * 128 * 784 * 128 * steps;
            String[] names = {"forward x·Wᵀ+b", "weight gradient dhᵀ·x"};
            System.out.println("first-layer products per MNIST epoch (" + steps + " steps of 128), mean of " + epochs
                    + " epochs after one warm-up, 1 thread:");
            for (int p = 0; p < 2; p++) {
                double full = ns[2 * p] / 1e6;
                double half = ns[2 * p + 1] / 1e6;
                System.out.println(String.format(
                        Locale.ROOT,
                        "  %-22s 128 units %6.1f ms (%5.1f GFLOP/s), 64 units %6.1f ms (%5.1f GFLOP/s): half width"
                                + " takes %.2f of the full width's time",
                        names[p],
                        full,
                        fullFlop / full / 1e6,
                        half,
                        fullFlop / 2 / half / 1e6,
                        half / full));
            }
        }
    }
}
