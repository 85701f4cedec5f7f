package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Seconds per epoch of several training configurations measured fairly on a busy machine: the configurations take
 * turns epoch by epoch (round robin), so a burst of load from elsewhere hits all of them instead of one; the first
 * {@code warmup} epochs (JIT, allocator) are run but not timed. A toolkit training reports its epochs through its
 * run's {@link dev.dropkit.train.TrainingListener} (the default display, {@link dev.dropkit.train.Progress}), named
 * by the bench's configuration name. Anything that can train one epoch is a
 * {@link Contestant}: a toolkit {@link Training}, or (in {@code ./run bench}) DJL's EasyTrain and a PyTorch process.
 *
 * <pre>{@code
 * Table summary = EpochBench.on(mnist).warmup(2).timed(5)
 *         .add("standard", Training.of(Mlp.seedModel()).sgd(0.1))
 *         .add("no-dropout", Training.of(Mlp.seedModel().withDropout(0)).sgd(0.1))
 *         .run().summary();
 * }</pre>
 */
public final class EpochBench {
    /** One configuration under test. */
    public interface Contestant extends AutoCloseable {
        /** Trains one epoch and returns its training seconds (without evaluation). */
        double epoch();

        /** CPU seconds of the last epoch's training, NaN if unknown (less sensitive to other load than wall time). */
        default double lastCpuSeconds() {
            return Double.NaN;
        }

        /** Test accuracy of the model as trained so far. */
        double testAccuracy();

        @Override
        default void close() {}
    }

    private final ImageData data;
    private final Map<String, java.util.function.Supplier<Contestant>> contestants = new LinkedHashMap<>();
    private int warmup = RunMode.current().warmupEpochs();
    private int timed = 5;
    private boolean progress = true;
    private Table epochs;
    private final Map<String, Double> accuracy = new LinkedHashMap<>();

    private EpochBench(ImageData data) {
        this.data = data;
    }

    public static EpochBench on(ImageData data) {
        return new EpochBench(data);
    }

    /** Untimed epochs first (at least 0; default {@link RunMode#warmupEpochs()}, the one warm-up rule). */
    public EpochBench warmup(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("warm-up epochs " + epochs + " must be 0 or more: try 2");
        }
        this.warmup = epochs;
        return this;
    }

    /** Timed epochs (at least 1) after the warm-up. */
    public EpochBench timed(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("timed epochs " + epochs + " must be at least 1: try 5");
        }
        this.timed = epochs;
        return this;
    }

    public EpochBench progress(boolean progress) {
        this.progress = progress;
        return this;
    }

    /** A toolkit training, labelled {@code name}; it reports its epochs through its listener when progress is on. */
    public EpochBench add(String name, Training training) {
        Training named = training.copy().label(name);
        return add(
                name,
                () -> new TrainingContestant(named.copy().progress(progress).start(data)));
    }

    /** A contestant that trains {@code run} one epoch per turn (closing the contestant closes the run). */
    public static Contestant contestant(TrainingRun run) {
        return new TrainingContestant(run);
    }

    /** Any contestant, created when the run starts and closed at its end. */
    public EpochBench add(String name, java.util.function.Supplier<Contestant> contestant) {
        if (contestants.containsKey(name)) {
            throw new IllegalArgumentException(
                    "configuration '" + name + "' is already in the bench: use another name");
        }
        contestants.put(name, contestant);
        return this;
    }

    /** Runs every configuration for warm-up + timed epochs, taking turns epoch by epoch. */
    public EpochBench run() {
        if (contestants.isEmpty()) {
            throw new IllegalArgumentException("the bench has no configuration: add one with add(name, training)");
        }
        StringColumn config = StringColumn.create("config");
        IntColumn epoch = IntColumn.create("epoch");
        DoubleColumn seconds = DoubleColumn.create("seconds");
        DoubleColumn cpuSeconds = DoubleColumn.create("cpu_seconds");
        List<String> names = new ArrayList<>(contestants.keySet());
        List<Contestant> running = new ArrayList<>();
        try {
            for (String name : names) {
                running.add(contestants.get(name).get());
            }
            for (int e = 1; e <= warmup + timed; e++) {
                for (int i = 0; i < names.size(); i++) {
                    double s = running.get(i).epoch();
                    if (e > warmup) {
                        config.append(names.get(i));
                        epoch.append(e);
                        seconds.append(s);
                        cpuSeconds.append(running.get(i).lastCpuSeconds());
                    }
                }
            }
            for (int i = 0; i < names.size(); i++) {
                accuracy.put(names.get(i), running.get(i).testAccuracy());
            }
        } finally {
            for (Contestant c : running) {
                try {
                    c.close();
                } catch (Exception ex) {
                    // closing the others matters more than one failed close
                }
            }
        }
        epochs = Table.create("epochs", config, epoch, seconds, cpuSeconds);
        return this;
    }

    /** One row per configuration and timed epoch: config, epoch, seconds, cpu_seconds. */
    public Table epochs() {
        if (epochs == null) {
            throw new IllegalStateException("the bench has not run yet: call run() first");
        }
        return epochs;
    }

    /**
     * One row per configuration: median, min and max seconds per timed epoch, and test accuracy after
     * warm-up + timed epochs; then the median CPU seconds per epoch ({@code median_cpu_s}, NaN where unknown).
     */
    public Table summary() {
        Table e = epochs();
        StringColumn config = StringColumn.create("config");
        DoubleColumn median = DoubleColumn.create("median_s_per_epoch");
        DoubleColumn min = DoubleColumn.create("min_s");
        DoubleColumn max = DoubleColumn.create("max_s");
        DoubleColumn acc = DoubleColumn.create("test_accuracy");
        DoubleColumn cpu = DoubleColumn.create("median_cpu_s");
        for (String name : contestants.keySet()) {
            DoubleColumn s = e.where(e.stringColumn("config").isEqualTo(name)).doubleColumn("seconds");
            config.append(name);
            median.append(s.median());
            min.append(s.min());
            max.append(s.max());
            acc.append(accuracy.get(name));
            DoubleColumn c = e.where(e.stringColumn("config").isEqualTo(name)).doubleColumn("cpu_seconds");
            cpu.append(c.countMissing() > 0 ? Double.NaN : c.median());
        }
        return Table.create("bench", config, median, min, max, acc, cpu);
    }

    /** Adds {@code column} = median seconds / the named configuration's median seconds. */
    public static Table withRatio(Table summary, String column, String reference) {
        return withRatio(summary, column, reference, "median_s_per_epoch");
    }

    /** Adds {@code column} = {@code measure} / the named configuration's {@code measure}. */
    public static Table withRatio(Table summary, String column, String reference, String measure) {
        Table ref = summary.where(summary.stringColumn("config").isEqualTo(reference));
        if (ref.rowCount() != 1) {
            throw new IllegalArgumentException(
                    "no configuration '" + reference + "' in the bench: its configurations are "
                            + summary.stringColumn("config").asList());
        }
        double base = ref.doubleColumn(measure).get(0);
        summary.addColumns(summary.doubleColumn(measure).divide(base).setName(column));
        return summary;
    }

    /** Epochs of a toolkit training; the timing is the history's own (training only, no evaluation). */
    private static final class TrainingContestant implements Contestant {
        private final TrainingRun run;

        TrainingContestant(TrainingRun run) {
            this.run = run;
        }

        @Override
        public double epoch() {
            var history = run.train(1);
            return history.table().doubleColumn("seconds").get(history.epochs() - 1);
        }

        @Override
        public double lastCpuSeconds() {
            return run.lastEpochCpuSeconds();
        }

        @Override
        public double testAccuracy() {
            return run.history().finalTestAccuracy();
        }

        @Override
        public void close() {
            run.close();
        }
    }
}
