package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.train.Shuffle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * What a standard-dropout epoch of the seed model cannot avoid, whoever runs it with this engine: the engine calls
 * every implementation of the step makes (the first layer's forward product, its weight-gradient product, the
 * engine's own dropout operator on the hidden layer, the SGD update of W1) and gathering a shuffled minibatch of
 * 128 MNIST rows, each timed alone (µs per call, median of rounds, one thread) and multiplied by the steps of an
 * epoch, what one small engine call costs (alone, and recorded and differentiated), and the leanest
 * standard-dropout step this engine allows, trained for a few epochs ({@link #leanestEpochMs}). When
 * {@code build/bench/results.csv} exists (from an earlier run: its epochs are compared across runs), it prints for
 * each peer how much of 0.8× that peer's standard-dropout epoch is left for everything else (the second layer, ReLU,
 * biases, loss, autograd, the other parameters' updates) and how the leanest step compares with the peer's epoch,
 * beside what the toolkit's own standard-dropout epoch spends on it.
 *
 * <pre>java -cp ... dev.dropkit.bench.StepBudget [results.csv]</pre>
 */
public final class StepBudget {
    private static final int BATCH = 128;
    private static final int ROUNDS = 7;
    private static final int CALLS = 300;

    private StepBudget() {}

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "build/bench/results.csv");
        Env.threads(1);
        boolean recording = Env.gradMode(false);
        try (ImageData data = ImageData.builder("mnist").validation(0).build();
                NDManager m = data.manager().newSubManager()) {
            int steps = (data.trainSize() + BATCH - 1) / BATCH;
            NDArray x = m.randomUniform(0, 1, new Shape(BATCH, 784));
            NDArray w1 = m.randomUniform(-0.05f, 0.05f, new Shape(128, 784));
            NDArray b1 = m.zeros(new Shape(128));
            NDArray hidden = m.randomUniform(-1, 1, new Shape(BATCH, 128));
            NDArray gradient = m.randomUniform(-1e-3f, 1e-3f, new Shape(128, 784));
            Batches batches = new Batches(data);

            Map<String, Double> us = new LinkedHashMap<>();
            us.put("shuffled minibatch of 128 rows", median(() -> batches.next(m)));
            us.put("first layer forward product", median(() -> Linear.linear(x, w1, b1)
                    .head()));
            us.put("first layer weight-gradient product", median(() -> hidden.transpose()
                    .matMul(x)));
            us.put("engine dropout operator (128x128)", median(() -> Dropout.dropout(hidden, 0.5f, true)
                    .head()));
            us.put("SGD update of W1", median(() -> {
                Env.sgdUpdate(w1, gradient, null, 1e-9f, 1e-4f, 0f);
                return null;
            }));

            System.out.println(String.format(
                    Locale.ROOT,
                    "%-38s %9s %12s   (one thread, %d steps per epoch)",
                    "call",
                    "us/call",
                    "ms/epoch",
                    steps));
            double fixedMs = 0;
            for (Map.Entry<String, Double> e : us.entrySet()) {
                double ms = e.getValue() * steps / 1e3;
                fixedMs += ms;
                System.out.println(String.format(Locale.ROOT, "%-38s %9.1f %12.1f", e.getKey(), e.getValue(), ms));
            }
            System.out.println(String.format(Locale.ROOT, "%-38s %9s %12.1f", "sum", "", fixedMs));
            NDArray tiny = m.randomUniform(-1, 1, new Shape(BATCH, 10));
            tiny.setRequiresGradient(true);
            System.out.println(String.format(
                    Locale.ROOT,
                    "an engine call on a 128x10 tensor costs %.1f us (one add), %.1f us recorded and differentiated"
                            + " (each add of a chain of five with its backward pass)",
                    (median(() -> chain(m, tiny, 5, false)) - median(() -> chain(m, tiny, 1, false))) / 4,
                    (median(() -> chain(m, tiny, 5, true)) - median(() -> chain(m, tiny, 1, true))) / 4));
            double leanestMs = leanestEpochMs(data, m, batches);
            if (Files.exists(results)) {
                budget(Table.read().csv(results.toFile()), fixedMs, leanestMs);
            } else {
                System.out.println("(no " + results + ": run ./run bench for the peers' epochs)");
            }
        } finally {
            Env.gradMode(recording);
        }
    }

    /**
     * The seed model's standard-dropout epoch with the fewest engine calls this engine allows: per step the batch
     * (gathered as the training loop does), the first layer, ReLU, the engine's dropout operator, the second layer, a
     * loss of four calls (log-softmax, the labels' entries, their mean, its negation), one backward pass, a fused SGD
     * update and a gradient reset per parameter; no loss bookkeeping, no model blocks, no listener. What a loop on DJL
     * with the engine's operator comes down to at the least, as a yardstick, not a training loop (the toolkit has
     * one, {@code TrainingRun}).
     * Median milliseconds of 5 epochs after a warm-up one; prints the test accuracy after them, so that a step that
     * does not learn cannot pass for a fast one.
     */
    private static double leanestEpochMs(ImageData data, NDManager manager, Batches batches) {
        Env.engine().setRandomSeed(42);
        NDArray w1 = manager.randomNormal(0, 0.05f, new Shape(128, 784), DataType.FLOAT32);
        NDArray b1 = manager.zeros(new Shape(128));
        NDArray w2 = manager.randomNormal(0, 0.1f, new Shape(10, 128), DataType.FLOAT32);
        NDArray b2 = manager.zeros(new Shape(10));
        NDArray[] parameters = {w1, b1, w2, b2};
        for (NDArray p : parameters) {
            p.setRequiresGradient(true);
        }
        double[] ms = new double[6];
        for (int epoch = 0; epoch < ms.length; epoch++) {
            long[] order = batches.epochOrder();
            long t0 = System.nanoTime();
            for (int from = 0; from < order.length; from += BATCH) {
                int to = Math.min(order.length, from + BATCH);
                try (NDManager step = manager.newSubManager()) {
                    NDArray x = batches.features(step, order, from, to);
                    NDArray y = batches.labels(step, order, from, to);
                    NDArray loss;
                    boolean recording = Env.gradMode(true);
                    try {
                        NDArray h = Activation.relu(Linear.linear(x, w1, b1).head());
                        NDArray out = Linear.linear(
                                        Dropout.dropout(h, 0.5f, true).head(), w2, b2)
                                .head();
                        loss = out.logSoftmax(1).gather(y, 1).mean().neg();
                        loss.attach(step);
                    } finally {
                        Env.gradMode(recording);
                    }
                    Env.backward(loss);
                    for (NDArray p : parameters) {
                        Env.sgdUpdate(p, p.getGradient(), null, 0.1f, 1e-4f, 0f);
                        Env.zeroGradient(p);
                    }
                }
            }
            ms[epoch] = (System.nanoTime() - t0) / 1e6;
        }
        double[] timed = Arrays.copyOfRange(ms, 1, ms.length);
        Arrays.sort(timed);
        try (NDManager test = manager.newSubManager()) {
            NDArray hidden = Activation.relu(Linear.linear(data.testX(), w1, b1).head());
            double accuracy = Linear.linear(hidden, w2, b2)
                            .head()
                            .argMax(1)
                            .eq(data.testY())
                            .sum()
                            .getLong()
                    / (double) data.testSize();
            System.out.println(String.format(
                    Locale.ROOT,
                    "leanest standard-dropout step on DJL: %.0f ms per epoch (median of 5; test accuracy %.2f%% after"
                            + " %d epochs)",
                    timed[timed.length / 2],
                    100 * accuracy,
                    ms.length));
        }
        return timed[timed.length / 2];
    }

    /** For each peer's standard-dropout epoch: 0.8× of it, and what is left of that beyond the fixed calls. */
    private static void budget(Table results, double fixedMs, double leanestMs) {
        double toolkitMs = Double.NaN;
        for (Row r : results) {
            if (r.getString("config").equals("toolkit-standard")) {
                toolkitMs = 1e3 * r.getDouble("median_s_per_epoch");
            }
        }
        System.out.println(String.format(
                Locale.ROOT,
                "toolkit-standard epoch %.0f ms: %.0f ms beyond the calls above; %.2fx the leanest step",
                toolkitMs,
                toolkitMs - fixedMs,
                toolkitMs / leanestMs));
        for (Row r : results) {
            String config = r.getString("config");
            if (config.endsWith("-standard")
                    && !config.startsWith("toolkit")
                    && r.getString("status").equals("OK")) {
                double peerMs = 1e3 * r.getDouble("median_s_per_epoch");
                System.out.println(String.format(
                        Locale.ROOT,
                        "%-20s epoch %6.0f ms; 0.8x = %4.0f ms leaves %4.0f ms beyond the calls above;"
                                + " the leanest step is %.2fx this epoch",
                        config,
                        peerMs,
                        0.8 * peerMs,
                        0.8 * peerMs - fixedMs,
                        leanestMs / peerMs));
            }
        }
    }

    /** {@code adds} additions of {@code x} to itself and a sum, in a sub-manager, recorded and back-propagated. */
    private static NDArray chain(NDManager manager, NDArray x, int adds, boolean differentiate) {
        try (NDManager s = manager.newSubManager()) {
            boolean recording = Env.gradMode(differentiate);
            NDArray v = x;
            try {
                for (int i = 0; i < adds; i++) {
                    v = v.add(x);
                }
                v = v.sum();
                v.attach(s);
            } finally {
                Env.gradMode(recording);
            }
            if (differentiate) {
                Env.backward(v);
            }
        }
        return null;
    }

    /** Shuffled minibatches copied row by row from the training set's memory, as the training loop gathers them. */
    private static final class Batches {
        final ByteBuffer features;
        final long[] labels;
        final ByteBuffer batch = ByteBuffer.allocateDirect(BATCH * 784 * 4).order(ByteOrder.nativeOrder());
        final int rows;
        final SplittableRandom random = new SplittableRandom(42);
        final Random shuffle = new Random(42);

        Batches(ImageData data) {
            features = data.trainX().toByteBuffer(true).order(ByteOrder.nativeOrder());
            labels = data.trainY().toLongArray();
            rows = data.trainSize();
        }

        /** A minibatch of random rows. */
        NDArray next(NDManager manager) {
            long[] order = new long[BATCH];
            for (int i = 0; i < BATCH; i++) {
                order[i] = random.nextInt(rows);
            }
            return features(manager, order, 0, BATCH);
        }

        /** A shuffled order of all rows, as the training loop draws it. */
        long[] epochOrder() {
            return Shuffle.permutation(rows, shuffle);
        }

        /** Rows {@code order[from..to)}, copied into the reused buffer, as a (to - from, 784) tensor over it. */
        NDArray features(NDManager manager, long[] order, int from, int to) {
            for (int i = from; i < to; i++) {
                batch.put((i - from) * 3136, features, (int) order[i] * 3136, 3136);
            }
            return manager.create(
                    batch.slice(0, (to - from) * 3136).order(ByteOrder.nativeOrder()),
                    new Shape(to - from, 784),
                    DataType.FLOAT32);
        }

        /** Labels of rows {@code order[from..to)} as a (to - from, 1) int64 tensor. */
        NDArray labels(NDManager manager, long[] order, int from, int to) {
            long[] picked = new long[to - from];
            for (int i = from; i < to; i++) {
                picked[i - from] = labels[(int) order[i]];
            }
            return manager.create(picked, new Shape(to - from, 1));
        }
    }

    /** Median over rounds of the microseconds per call of {@code call} (its result, if any, freed at once). */
    private static double median(Supplier<NDArray> call) {
        double[] us = new double[ROUNDS];
        for (int r = -1; r < ROUNDS; r++) { // round -1 warms up
            long t0 = System.nanoTime();
            for (int i = 0; i < CALLS; i++) {
                NDArray out = call.get();
                if (out != null) {
                    out.close();
                }
            }
            if (r >= 0) {
                us[r] = (System.nanoTime() - t0) / 1e3 / CALLS;
            }
        }
        Arrays.sort(us);
        return us[ROUNDS / 2];
    }
}
