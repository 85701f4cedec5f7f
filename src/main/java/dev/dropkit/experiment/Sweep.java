package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * One training run per value of a knob, stacked into a single Tablesaw {@link Table}: one row per run and epoch,
 * with the configuration as columns (the {@link History} columns run, dropout, lr, momentum, weight_decay and
 * batch_size, plus a column named after the sweep when the history does not already record that knob).
 *
 * <pre>{@code
 * Table runs = Sweep.dropoutRates(0, 0.25, 0.5)
 *         .run(p -> Training.of(Mlp.seedModel().withDropout(p)).sgd(0.1).label("p=" + p).fit(mnist));
 * Table same = Sweep.fit(mnist, List.of(base.copy().label("a"), base.copy().momentum(0.9).label("b")));
 * Table fair = Sweep.interleaved(mnist, configs);   // one epoch of each in turn: timings comparable
 * }</pre>
 *
 * <p>The values are checked when the sweep is built, before any training starts, so that a typo in the last value
 * does not surface after minutes of training.
 *
 * @param <T> the type of the swept value
 */
public final class Sweep<T> {
    private final String name;
    private final List<T> values;

    private Sweep(String name, List<T> values) {
        this.name = name;
        this.values = values;
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
        Sweep<Double> sweep = of(name, Arrays.stream(values == null ? new double[0] : values).boxed().toList());
        return sweep.check(Double::isFinite, "(-inf, inf)");
    }

    /** A sweep over whole numbers. */
    public static Sweep<Integer> of(String name, int... values) {
        return of(name, Arrays.stream(values == null ? new int[0] : values).boxed().toList());
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
     * Calls {@code run} once per value, in order, and stacks the histories. Each history must have a distinct run
     * label, as the {@code run} column is what tells the runs apart.
     */
    public Table run(Function<? super T, History> run) {
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

    /** Trains every configuration on {@code data}, in order, and stacks the histories. */
    public static Table fit(ImageData data, List<Training> configs) {
        checkConfigs(configs);
        return of("run", configs).run(config -> config.fit(data));
    }

    private static void checkConfigs(List<Training> configs) {
        if (configs == null || configs.isEmpty()) {
            throw new IllegalArgumentException("sweep has no training configurations: give at least one");
        }
        Set<String> labels = new HashSet<>();
        for (Training config : configs) {
            if (!labels.add(config.label())) {
                throw new IllegalArgumentException("two runs are labelled '" + config.label()
                        + "': give each Training a distinct label(...)");
            }
        }
    }

    /**
     * Trains every configuration on {@code data} one epoch at a time, round-robin, and stacks the histories. On a
     * shared machine the background load drifts; interleaving spreads it evenly over the runs, so their seconds per
     * epoch can be compared within one sweep. Runs with {@code stopAt} drop out when they reach their target.
     */
    public static Table interleaved(ImageData data, List<Training> configs) {
        checkConfigs(configs);
        List<TrainingRun> runs = new ArrayList<>();
        try {
            for (Training config : configs) {
                runs.add(config.start(data));
            }
            boolean progressed = true;
            while (progressed) {
                progressed = false;
                for (TrainingRun run : runs) {
                    int before = run.history().epochs();
                    if (before < run.config().epochs()) {
                        run.train(1);
                        progressed |= run.history().epochs() > before;
                    }
                }
            }
            return stack("sweep", runs.stream().map(r -> r.history().table()).toList());
        } finally {
            runs.forEach(TrainingRun::close);
        }
    }

    /** Stacks history tables (same columns) into one table named {@code name}; labels must be distinct. */
    public static Table stack(String name, List<Table> histories) {
        if (histories.isEmpty()) {
            throw new IllegalArgumentException("nothing to stack: no history tables");
        }
        Set<String> runs = new HashSet<>();
        Table all = histories.get(0).emptyCopy();
        all.setName(name);
        for (Table t : histories) {
            for (String run : t.stringColumn(History.RUN).unique()) {
                if (!runs.add(run)) {
                    throw new IllegalArgumentException("run '" + run + "' appears twice in the sweep: give each run a "
                            + "distinct label(...)");
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
