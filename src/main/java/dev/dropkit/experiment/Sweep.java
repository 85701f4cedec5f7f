package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.function.Predicate;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * One training run per value of a knob and per seed, stacked into a single Tablesaw {@link Table}: one row per
 * trial and epoch, with the configuration as columns (the {@link History} columns run, dropout, lr, momentum,
 * weight_decay and batch_size; a column named after the sweep when the history does not already record that knob;
 * and {@value RunSummary#SEED}). {@link RunSummary} turns the table into findings with spreads over the seeds.
 *
 * <pre>{@code
 * Table runs = Sweep.dropoutRates(0, 0.25, 0.5).seeds(mode.seeds())
 *         .run(mnist, p -> Training.of(Mlp.seedModel().withDropout(p)).sgd(0.1));
 * Table same = Sweep.configs(List.of(base.copy().label("a"), base.copy().momentum(0.9).label("b"))).seeds(3)
 *         .run(mnist, c -> c);
 * Table fair = Sweep.configs(configs).interleaved().run(mnist, c -> c); // one epoch each in turn: fair timings
 * }</pre>
 *
 * <p>The values are checked when the sweep is built and the trial list ({@link #trials}: settings and seed of each
 * run, as data) is made before any training starts, so that a typo in the last value does not surface after minutes
 * of training. Trials run on a {@link Backend}: by default ({@code DROPKIT_BACKEND} unset) in threads of this JVM, as
 * many at a time as there are cores ({@link #parallelism(int)}), each with the engine's one intra-op thread; the
 * table is the same as that of the trials run one after the other (timing columns aside), in trial-list order. With
 * {@link Backend.Spark} the trials travel as data ({@link TrialSpec}, {@link DataSpec}) to Spark executors: give the
 * data as a {@link DataSpec} then ({@link #run(DataSpec, Function)}). When {@link #interleaved()}, trials run epoch by
 * epoch in turn on the calling thread. A {@link SweepListener} hears each trial as it finishes (one call at a time,
 * so listeners need no locking of their own); a trial that throws is recorded as failed ({@link #failures()}) and the
 * others finish. The runs themselves print no per-epoch lines unless {@link #epochProgress(boolean)} is set.
 *
 * <p>An interrupted sweep (a kernel interrupt, Ctrl-C) stops its running trials and throws
 * {@link CancellationException}; the listener has heard every trial that finished before, and a later run can skip
 * those with {@link #resume(Function)}.
 *
 * @param <T> the type of the swept value
 */
public final class Sweep<T> {
    /**
     * One run of a sweep: its place in the trial list, its label (the same for every seed of a configuration), the
     * swept value, the seed, and the complete settings to train it with.
     */
    public record Trial<T>(int index, String run, T value, long seed, Training training) {
        /** {@code run seed N}: names the trial within its sweep (the same label and seed give the same history). */
        public String key() {
            return run + " seed " + seed;
        }
    }

    /** A trial that threw instead of finishing, with the one-line message of its error. */
    public record Failure(Trial<?> trial, String message) {}

    private final String name;
    private final List<T> values;
    private List<Long> seeds;
    private int seedCount = 1;
    private Function<? super T, String> labels;
    private SweepListener listener;
    private boolean epochProgress;
    private boolean interleaved;
    private double target = Double.NaN;
    private Backend backend;
    private Function<? super Trial<T>, java.util.Optional<History>> resume = t -> java.util.Optional.empty();
    private List<Failure> failures = List.of();

    private Sweep(String name, List<T> values) {
        this.name = name;
        this.values = values;
        this.labels = name.equals(History.RUN) ? null : value -> name + "=" + value;
    }

    /** A sweep of {@code name} over {@code values}: the list must be non-empty and hold no nulls. */
    public static <T> Sweep<T> of(String name, List<T> values) {
        Objects.requireNonNull(name, "sweep name");
        if (values == null || values.isEmpty()) {
            throw new IllegalArgumentException("sweep over " + name + " has no values: give at least one");
        }
        for (T value : values) {
            if (value == null) {
                throw new IllegalArgumentException("sweep over " + name + " has a null value in " + values);
            }
        }
        return new Sweep<>(name, List.copyOf(values));
    }

    /** A sweep over numbers; each must be finite. */
    public static Sweep<Double> of(String name, double... values) {
        Sweep<Double> sweep = of(
                name,
                Arrays.stream(values == null ? new double[0] : values).boxed().toList());
        return sweep.check(Double::isFinite, "(-inf, inf)");
    }

    /** A sweep over whole numbers. */
    public static Sweep<Integer> of(String name, int... values) {
        return of(
                name,
                Arrays.stream(values == null ? new int[0] : values).boxed().toList());
    }

    /** Dropout rates, each in [0, 1) (the fraction of units dropped; keep probability = 1 - rate). */
    public static Sweep<Double> dropoutRates(double... rates) {
        return of("dropout", rates).check(p -> p >= 0 && p < 1, "[0, 1)");
    }

    /** Learning rates, each in (0, inf). */
    public static Sweep<Double> learningRates(double... rates) {
        return of("lr", rates).check(lr -> lr > 0, "(0, inf)");
    }

    /** Momentum values, each in [0, 1). */
    public static Sweep<Double> momenta(double... values) {
        return of("momentum", values).check(m -> m >= 0 && m < 1, "[0, 1)");
    }

    /** Minibatch sizes, each at least 1. */
    public static Sweep<Integer> batchSizes(int... sizes) {
        return of("batch_size", sizes).check(b -> b >= 1, "[1, inf)");
    }

    /**
     * Checks every value now.
     *
     * @param allowed the allowed range as the error message shows it, e.g. "[0, 1)"
     * @throws IllegalArgumentException naming the first bad value and the allowed range
     */
    public Sweep<T> check(Predicate<? super T> valid, String allowed) {
        for (T value : values) {
            if (!valid.test(value)) {
                throw new IllegalArgumentException(name + " value " + value + " in the sweep " + values
                        + " is outside the allowed range " + allowed);
            }
        }
        return this;
    }

    public String name() {
        return name;
    }

    public List<T> values() {
        return values;
    }

    /**
     * Each configuration runs with {@code count} seeds: its own seed and the {@code count - 1} after it (the
     * default {@code Training} seed 42 gives 42, 43, 44 for three). {@link RunMode#seeds()} gives the count for a
     * notebook.
     */
    public Sweep<T> seeds(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("seed count " + count + " must be at least 1: e.g. seeds(3), or "
                    + "seeds(RunMode.current().seeds())");
        }
        this.seedCount = count;
        this.seeds = null;
        return this;
    }

    /** Each configuration runs once per seed in {@code seeds} (at least one, no repeats). */
    public Sweep<T> seeds(long... seeds) {
        if (seeds == null || seeds.length == 0) {
            throw new IllegalArgumentException("no seeds given: give at least one, e.g. seeds(1, 2, 3)");
        }
        List<Long> list = Arrays.stream(seeds).boxed().toList();
        if (new HashSet<>(list).size() != list.size()) {
            throw new IllegalArgumentException("seeds " + list + " repeat a seed: give each seed once");
        }
        this.seeds = list;
        return this;
    }

    /** How each configuration's run is labelled (default {@code name=value}; a sweep of configurations keeps theirs). */
    public Sweep<T> labels(Function<? super T, String> labels) {
        this.labels = Objects.requireNonNull(labels, "labels");
        return this;
    }

    /** Who hears the sweep (default {@link SweepProgress#forSweep()}). */
    public Sweep<T> listener(SweepListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** Whether each run also prints its per-epoch progress (default false: one line per finished trial is enough). */
    public Sweep<T> epochProgress(boolean on) {
        this.epochProgress = on;
        return this;
    }

    /**
     * Trains all trials one epoch at a time, round-robin. On a shared machine the background load drifts;
     * interleaving spreads it evenly over the runs, so their seconds per epoch can be compared within one sweep.
     * Runs with {@code stopAt} drop out when they reach their target. Every trial's model is held at once.
     */
    public Sweep<T> interleaved() {
        this.interleaved = true;
        return this;
    }

    /**
     * Trains up to {@code slots} trials at a time in threads of this JVM (the local backend; default: one per core,
     * or {@code DROPKIT_BACKEND}). 1 runs them one after the other on the calling thread.
     */
    public Sweep<T> parallelism(int slots) {
        this.backend = Backend.local(slots);
        return this;
    }

    /** Where the trials train (default {@link Backend#fromEnvironment()}: local threads unless DROPKIT_BACKEND says). */
    public Sweep<T> backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return this;
    }

    /** The backend the next run uses. */
    public Backend backend() {
        return backend != null ? backend : Backend.fromEnvironment();
    }

    /**
     * Trials for which {@code finished} returns a history are not trained again: their rows are that history (e.g.
     * read back from the rows an interrupted run of the same sweep saved, keyed by {@link Trial#key()}).
     */
    public Sweep<T> resume(Function<? super Trial<T>, java.util.Optional<History>> finished) {
        this.resume = Objects.requireNonNull(finished, "finished");
        return this;
    }

    /** The trials of the last run that threw instead of finishing (none: an empty list). */
    public List<Failure> failures() {
        return failures;
    }

    /** The validation accuracy target of the {@link RunSummary} the listener gets at the end (default none). */
    public Sweep<T> target(double target) {
        this.target = History.checkTarget(target);
        return this;
    }

    /**
     * The trial list, value by value and seed by seed: what {@link #run(ImageData, Function)} trains. Nothing is
     * trained here; each {@code configure} result is copied, so the caller's settings stay as they were.
     */
    public List<Trial<T>> trials(Function<? super T, Training> configure) {
        Objects.requireNonNull(configure, "configure");
        List<Trial<T>> trials = new ArrayList<>();
        Set<String> labelsSeen = new HashSet<>();
        for (T value : values) {
            Training config = Objects.requireNonNull(configure.apply(value), "configure returned null for " + value);
            String label = labels == null ? config.label() : labels.apply(value);
            if (!labelsSeen.add(label)) {
                throw new IllegalArgumentException(
                        "two runs are labelled '" + label + "': give each Training a distinct label(...)");
            }
            List<Long> trialSeeds = seeds != null
                    ? seeds
                    : java.util.stream.LongStream.range(0, seedCount)
                            .map(i -> config.seed() + i)
                            .boxed()
                            .toList();
            for (long seed : trialSeeds) {
                Training t = config.copy().seed(seed).label(label).progress(epochProgress);
                trials.add(new Trial<>(trials.size(), label, value, seed, t));
            }
        }
        return List.copyOf(trials);
    }

    /**
     * Trains every trial on {@code data} and stacks the histories into one table (see the class comment); the local
     * backend only (a cluster needs the data as a {@link DataSpec}; a Spark {@code DROPKIT_BACKEND} is not used here).
     */
    public Table run(ImageData data, Function<? super T, Training> configure) {
        // DROPKIT_BACKEND=spark:... applies to sweeps whose data is a description; data already in memory stays here.
        Backend b = backend;
        if (b == null) {
            b = Backend.fromEnvironment() instanceof Backend.Local fromEnvironment ? fromEnvironment : Backend.local();
        }
        if (!(b instanceof Backend.Local local)) {
            throw new IllegalArgumentException("backend " + b + " trains on other machines, which build the data "
                    + "themselves: pass it as a DataSpec, e.g. run(DataSpec.of(\"mnist\"), ...)");
        }
        return run(
                configure,
                (todo, l) ->
                        interleaved ? runInterleaved(data, todo, l) : runLocally(data, todo, local.parallelism(), l));
    }

    /**
     * Trains every trial on the data {@code data} describes: the local backend builds it once here and shares it
     * between its threads; a cluster backend sends the description and each executor builds its own copy.
     */
    public Table run(DataSpec data, Function<? super T, Training> configure) {
        Backend b = backend();
        if (b instanceof Backend.Spark spark) {
            List<Trial<T>> trials = trials(configure);
            List<TrialSpec> specs =
                    trials.stream().map(t -> TrialSpec.of(t.training())).toList(); // checked first
            return run(configure, (todo, l) -> runOnCluster(spark, data, todo, specs, l));
        }
        try (ImageData loaded = data.load()) {
            return run(loaded, configure);
        }
    }

    private interface Runner<T> {
        /** Trains {@code todo}, telling {@code l} of each as it ends; the histories by trial index (null: failed). */
        Map<Integer, History> run(List<Trial<T>> todo, SweepListener l);
    }

    private Table run(Function<? super T, Training> configure, Runner<T> runner) {
        List<Trial<T>> trials = trials(configure);
        SweepListener l = serialized(listener != null ? listener : SweepProgress.forSweep());
        l.sweepStarted(name, List.copyOf(trials));
        Map<Integer, History> histories = new java.util.HashMap<>();
        List<Trial<T>> todo = new ArrayList<>();
        for (Trial<T> trial : trials) {
            java.util.Optional<History> done = resume.apply(trial);
            if (done.isPresent()) {
                histories.put(trial.index(), done.get());
                l.trialFinished(trial, done.get());
            } else {
                todo.add(trial);
            }
        }
        List<Failure> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        SweepListener recording = new SweepListener() {
            @Override
            public void trialFinished(Trial<?> trial, History history) {
                l.trialFinished(trial, history);
            }

            @Override
            public void trialFailed(Trial<?> trial, String message) {
                failed.add(new Failure(trial, message));
                l.trialFailed(trial, message);
            }
        };
        try {
            if (!todo.isEmpty()) {
                histories.putAll(runner.run(todo, recording));
            }
        } finally {
            failures = List.copyOf(failed);
        }
        List<Table> tables = new ArrayList<>();
        for (Trial<T> trial : trials) {
            History h = histories.get(trial.index());
            if (h != null) {
                tables.add(withColumns(h.table().copy(), trial));
            }
        }
        if (tables.isEmpty()) {
            throw new IllegalStateException("every trial of the sweep over " + name + " failed; the first: "
                    + failures.get(0).trial().key() + ": " + failures.get(0).message());
        }
        Table all = stack(name, tables);
        l.sweepFinished(Double.isNaN(target) ? RunSummary.of(all) : RunSummary.of(all, target));
        return all;
    }

    /** {@code l} with its calls made one at a time (trials finish in several threads). */
    static SweepListener serialized(SweepListener l) {
        return new SweepListener() {
            @Override
            public synchronized void sweepStarted(String name, List<Trial<?>> trials) {
                l.sweepStarted(name, trials);
            }

            @Override
            public synchronized void trialFinished(Trial<?> trial, History history) {
                l.trialFinished(trial, history);
            }

            @Override
            public synchronized void trialFailed(Trial<?> trial, String message) {
                l.trialFailed(trial, message);
            }

            @Override
            public synchronized void sweepFinished(RunSummary summary) {
                l.sweepFinished(summary);
            }
        };
    }

    /** Up to {@code slots} trials at a time, in pool threads (one slot: on the calling thread). */
    private Map<Integer, History> runLocally(ImageData data, List<Trial<T>> todo, int slots, SweepListener l) {
        return Pool.run(
                todo,
                slots,
                trial -> trial.training().fit(data),
                (trial, h) -> l.trialFinished(trial, h),
                (trial, message) -> l.trialFailed(trial, message),
                Trial::index);
    }

    private Map<Integer, History> runOnCluster(
            Backend.Spark spark, DataSpec data, List<Trial<T>> todo, List<TrialSpec> specs, SweepListener l) {
        Map<Integer, Trial<T>> byIndex = new java.util.HashMap<>();
        List<TrialTask> tasks = new ArrayList<>();
        for (Trial<T> trial : todo) {
            byIndex.put(trial.index(), trial);
            tasks.add(new TrialTask(trial.index(), specs.get(trial.index()), data));
        }
        Map<Integer, History> histories = new java.util.HashMap<>();
        Clusters.open(spark).run(tasks, outcome -> {
            Trial<T> trial = byIndex.get(outcome.index());
            if (outcome.failed()) {
                l.trialFailed(trial, outcome.error());
            } else {
                History h = outcome.history(trial.run());
                histories.put(trial.index(), h);
                l.trialFinished(trial, h);
            }
        });
        return histories;
    }

    private Map<Integer, History> runInterleaved(ImageData data, List<Trial<T>> trials, SweepListener l) {
        List<TrainingRun> runs = new ArrayList<>();
        try {
            for (Trial<T> trial : trials) {
                runs.add(trial.training().start(data));
            }
            boolean[] finished = new boolean[runs.size()];
            boolean progressed = true;
            while (progressed) {
                progressed = false;
                for (int i = 0; i < runs.size(); i++) {
                    TrainingRun run = runs.get(i);
                    if (finished[i]) {
                        continue;
                    }
                    int before = run.history().epochs();
                    if (before < run.config().epochs()) {
                        run.train(1);
                    }
                    if (run.history().epochs() > before) {
                        progressed = true;
                    }
                    if (run.history().epochs() == before
                            || run.history().epochs() >= run.config().epochs()) {
                        finished[i] = true;
                        l.trialFinished(trials.get(i), run.history());
                    }
                }
            }
            Map<Integer, History> histories = new java.util.HashMap<>();
            for (int i = 0; i < trials.size(); i++) {
                histories.put(trials.get(i).index(), runs.get(i).history());
            }
            return histories;
        } finally {
            runs.forEach(TrainingRun::close);
        }
    }

    private Table withColumns(Table t, Trial<T> trial) {
        if (!t.columnNames().contains(name)) {
            t.addColumns(constant(name, trial.value(), t.rowCount()));
        }
        if (!t.columnNames().contains(RunSummary.SEED)) {
            LongColumn seed = LongColumn.create(RunSummary.SEED, t.rowCount());
            seed.setMissingTo(trial.seed());
            t.insertColumn(1, seed);
        }
        return t;
    }

    /**
     * Calls {@code run} once per value, in order, and stacks the histories (one seed each, the one {@code run}
     * chose; no listener). Prefer {@link #run(ImageData, Function)}, which seeds, labels and reports the trials.
     */
    public Table run(Function<? super T, History> run) {
        if (seeds != null || seedCount != 1) {
            throw new IllegalArgumentException(
                    "seeds(...) needs run(data, value -> training): the sweep sets each " + "trial's seed");
        }
        List<Table> tables = new ArrayList<>();
        for (T value : values) {
            Table t = run.apply(value).table().copy();
            if (!t.columnNames().contains(name)) {
                t.addColumns(constant(name, value, t.rowCount()));
            }
            tables.add(t);
        }
        return stack(name, tables);
    }

    /** A sweep over whole configurations, each keeping its label: {@code configs(list).seeds(3).run(data, c -> c)}. */
    public static Sweep<Training> configs(List<Training> configs) {
        checkConfigs(configs);
        return of(History.RUN, configs);
    }

    /** Trains every configuration on {@code data}, in order, one seed each (its own), and stacks the histories. */
    public static Table fit(ImageData data, List<Training> configs) {
        return configs(configs).run(data, c -> c);
    }

    private static void checkConfigs(List<Training> configs) {
        if (configs == null || configs.isEmpty()) {
            throw new IllegalArgumentException("sweep has no training configurations: give at least one");
        }
    }

    /** {@link #fit} one epoch at a time, round-robin (see {@link #interleaved()}). */
    public static Table interleaved(ImageData data, List<Training> configs) {
        return configs(configs).interleaved().run(data, c -> c);
    }

    /**
     * Stacks history tables (same columns) into one table named {@code name}; each (run, seed) must appear in one
     * table only (a table without a seed column: each run label).
     */
    public static Table stack(String name, List<Table> histories) {
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("nothing to stack: no history tables");
        }
        Set<String> runs = new HashSet<>();
        Table all = histories.get(0).emptyCopy();
        all.setName(name);
        for (Table t : histories) {
            boolean seeded = t.columnNames().contains(RunSummary.SEED);
            Set<String> here = new HashSet<>();
            for (int i = 0; i < t.rowCount(); i++) {
                String run = t.stringColumn(History.RUN).get(i);
                here.add(seeded ? run + " (seed " + t.column(RunSummary.SEED).getString(i) + ")" : run);
            }
            for (String run : here) {
                if (!runs.add(run)) {
                    throw new IllegalArgumentException(
                            "run '" + run + "' appears twice in the sweep: give each run a " + "distinct label(...)");
                }
            }
            all.append(t);
        }
        return all;
    }

    private static Column<?> constant(String name, Object value, int rows) {
        if (value instanceof Integer i) {
            IntColumn c = IntColumn.create(name, rows);
            c.setMissingTo(i);
            return c;
        }
        if (value instanceof Number n) {
            DoubleColumn c = DoubleColumn.create(name, rows);
            c.setMissingTo(n.doubleValue());
            return c;
        }
        StringColumn c = StringColumn.create(name);
        for (int i = 0; i < rows; i++) {
            c.append(value.toString());
        }
        return c;
    }
}
