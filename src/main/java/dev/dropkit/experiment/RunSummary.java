package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Findings from a stacked history table (as {@link Sweep} returns): one row per configuration (the {@code run}
 * label), aggregated over its seeds (the {@code seed} column; a table without one counts as one seed per run).
 * Every selection is made on validation accuracy: the best configuration, the fastest to a target (measured on
 * validation accuracy), the comparisons. Test accuracy is not a column: {@link #choice()} reports it once, for the
 * chosen configuration, labelled as such.
 *
 * <pre>{@code
 * RunSummary summary = RunSummary.of(runs, 0.97);
 * display(summary.table());                              // mean and spread per configuration
 * summary.row("p=0.5").getDouble(RunSummary.FINAL_VAL_ACCURACY);
 * System.out.println(summary.compare("p=0.5", "p=0.0")); // "... beats ..." only beyond the spread
 * System.out.println(summary.choice());                  // chosen on validation; its test accuracy, once
 * }</pre>
 *
 * <p>Columns of {@link #table()}: the configuration columns as at the run's last epoch; {@value #SEEDS}; then, as
 * means over seeds: {@value #EPOCHS}, {@value #FINAL_VAL_ACCURACY} (with {@code _min}, {@code _max} and
 * {@code _ci95}, the half-width of a 95% t-interval), {@value #BEST_VAL_ACCURACY}, {@value #FINAL_TRAIN_ACCURACY},
 * {@value #FINAL_GAP} (train minus validation), {@value #MEDIAN_EPOCH_SECONDS} (after the warm-up epochs),
 * {@value #TOTAL_SECONDS}; {@value #REACHED_TARGET} (seeds that reached the target); {@value #EPOCHS_TO_TARGET}
 * and {@value #SECONDS_TO_TARGET} (each with {@code _min}, {@code _max}, {@code _ci95}), missing unless every seed
 * reached the target. {@link #trials()} has the same measures for each seed.
 */
public final class RunSummary {
    public static final String SEED = "seed";
    public static final String SEEDS = "seeds";
    public static final String EPOCHS = "epochs";
    public static final String FINAL_VAL_ACCURACY = "final_val_accuracy";
    public static final String BEST_VAL_ACCURACY = "best_val_accuracy";
    public static final String FINAL_TRAIN_ACCURACY = "final_train_accuracy";
    public static final String FINAL_GAP = "final_gap";
    public static final String MEDIAN_EPOCH_SECONDS = "median_epoch_seconds";
    public static final String TOTAL_SECONDS = "total_seconds";
    public static final String REACHED_TARGET = "reached_target";
    public static final String EPOCHS_TO_TARGET = "epochs_to_target";
    public static final String SECONDS_TO_TARGET = "seconds_to_target";
    /** Suffixes of the spread columns: lowest and highest seed, half-width of the 95% t-interval of the mean. */
    public static final String MIN = "_min";

    public static final String MAX = "_max";
    public static final String CI95 = "_ci95";

    /** Per-epoch measurements: everything else in a history table is configuration. */
    private static final Set<String> PER_EPOCH = Set.of(
            History.EPOCH,
            History.TRAIN_LOSS,
            History.TRAIN_ACCURACY,
            History.VAL_LOSS,
            History.VAL_ACCURACY,
            History.TEST_ACCURACY,
            History.WEIGHT_NORM,
            History.SECONDS,
            History.CUMULATIVE_SECONDS,
            SEED);

    private static final List<String> REQUIRED = List.of(
            History.RUN,
            History.EPOCH,
            History.TRAIN_ACCURACY,
            History.VAL_ACCURACY,
            History.TEST_ACCURACY,
            History.SECONDS,
            History.CUMULATIVE_SECONDS);

    private final Table runs;
    private final double target;
    private int warmup = RunMode.current().warmupEpochs();

    /** One seed of one configuration, measured. */
    private record Trial(
            String run,
            long seed,
            Table lastRow,
            int epochs,
            double finalVal,
            double bestVal,
            double finalTrain,
            double finalTest,
            double median,
            double total,
            double epochsToTarget,
            double secondsToTarget) {}

    private RunSummary(Table runs, double target) {
        for (String column : REQUIRED) {
            if (!runs.columnNames().contains(column)) {
                throw new IllegalArgumentException("table " + runs.name() + " has no column '" + column
                        + "': summarise a history table (Training.fit(...).table() or a Sweep)");
            }
        }
        this.runs = runs;
        this.target = Double.isNaN(target) ? target : History.checkTarget(target);
    }

    /** A summary of every configuration in {@code runs} against the validation accuracy {@code target} in (0, 1]. */
    public static RunSummary of(Table runs, double target) {
        return new RunSummary(runs, History.checkTarget(target));
    }

    /** A summary without a target: the to-target columns stay missing. */
    public static RunSummary of(Table runs) {
        return new RunSummary(runs, Double.NaN);
    }

    /**
     * Epochs left out of the median seconds per epoch (JIT and engine warm-up); default
     * {@link RunMode#warmupEpochs()}. A run always keeps its last epoch.
     */
    public RunSummary warmup(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("warm-up " + epochs + " must be zero or more epochs");
        }
        this.warmup = epochs;
        return this;
    }

    /** The configurations (run labels), in the order they first appear. */
    public List<String> runs() {
        return new ArrayList<>(grouped().keySet());
    }

    /** One row per configuration, means and spreads over seeds (see the class comment for the columns). */
    public Table table() {
        Map<String, List<Trial>> byRun = grouped();
        List<String> config = configColumns();
        Table summary = runs.selectColumns(config.toArray(String[]::new)).emptyCopy();
        summary.setName(runs.name() + " summary");
        IntColumn seeds = IntColumn.create(SEEDS);
        IntColumn reached = IntColumn.create(REACHED_TARGET);
        Map<String, DoubleColumn> cols = new LinkedHashMap<>();
        for (String c : List.of(
                EPOCHS,
                FINAL_VAL_ACCURACY,
                FINAL_VAL_ACCURACY + MIN,
                FINAL_VAL_ACCURACY + MAX,
                FINAL_VAL_ACCURACY + CI95,
                BEST_VAL_ACCURACY,
                FINAL_TRAIN_ACCURACY,
                FINAL_GAP,
                MEDIAN_EPOCH_SECONDS,
                TOTAL_SECONDS)) {
            cols.put(c, DoubleColumn.create(c));
        }
        Map<String, DoubleColumn> toTarget = new LinkedHashMap<>();
        for (String base : List.of(EPOCHS_TO_TARGET, SECONDS_TO_TARGET)) {
            for (String suffix : List.of("", MIN, MAX, CI95)) {
                toTarget.put(base + suffix, DoubleColumn.create(base + suffix));
            }
        }
        for (List<Trial> trials : byRun.values()) {
            appendConfig(summary, config, trials.get(0).lastRow());
            seeds.append(trials.size());
            cols.get(EPOCHS).append(mean(trials, t -> t.epochs()));
            Spread val = spread(trials, Trial::finalVal);
            cols.get(FINAL_VAL_ACCURACY).append(val.mean());
            cols.get(FINAL_VAL_ACCURACY + MIN).append(val.min());
            cols.get(FINAL_VAL_ACCURACY + MAX).append(val.max());
            cols.get(FINAL_VAL_ACCURACY + CI95).append(val.halfWidth95());
            cols.get(BEST_VAL_ACCURACY).append(mean(trials, Trial::bestVal));
            cols.get(FINAL_TRAIN_ACCURACY).append(mean(trials, Trial::finalTrain));
            cols.get(FINAL_GAP).append(mean(trials, t -> t.finalTrain() - t.finalVal()));
            cols.get(MEDIAN_EPOCH_SECONDS).append(mean(trials, Trial::median));
            cols.get(TOTAL_SECONDS).append(mean(trials, Trial::total));
            Spread epochs = spread(trials, Trial::epochsToTarget);
            Spread seconds = spread(trials, Trial::secondsToTarget);
            reached.append(epochs.n());
            boolean all = epochs.n() == trials.size();
            appendSpread(toTarget, EPOCHS_TO_TARGET, epochs, all);
            appendSpread(toTarget, SECONDS_TO_TARGET, seconds, all);
        }
        summary.addColumns(seeds);
        cols.values().forEach(summary::addColumns);
        summary.addColumns(reached);
        toTarget.values().forEach(summary::addColumns);
        return summary;
    }

    /** One row per run and seed: the configuration, then that seed's measures (no spreads, no test accuracy). */
    public Table trials() {
        List<String> config = configColumns();
        Table t = runs.selectColumns(config.toArray(String[]::new)).emptyCopy();
        t.setName(runs.name() + " trials");
        LongColumn seed = LongColumn.create(SEED);
        IntColumn epochs = IntColumn.create(EPOCHS);
        DoubleColumn[] m = {
            DoubleColumn.create(FINAL_VAL_ACCURACY),
            DoubleColumn.create(BEST_VAL_ACCURACY),
            DoubleColumn.create(FINAL_TRAIN_ACCURACY),
            DoubleColumn.create(FINAL_GAP),
            DoubleColumn.create(MEDIAN_EPOCH_SECONDS),
            DoubleColumn.create(TOTAL_SECONDS),
            DoubleColumn.create(EPOCHS_TO_TARGET),
            DoubleColumn.create(SECONDS_TO_TARGET)
        };
        for (List<Trial> trials : grouped().values()) {
            for (Trial trial : trials) {
                appendConfig(t, config, trial.lastRow());
                seed.append(trial.seed());
                epochs.append(trial.epochs());
                double[] values = {
                    trial.finalVal(),
                    trial.bestVal(),
                    trial.finalTrain(),
                    trial.finalTrain() - trial.finalVal(),
                    trial.median(),
                    trial.total(),
                    trial.epochsToTarget(),
                    trial.secondsToTarget()
                };
                for (int i = 0; i < m.length; i++) {
                    if (Double.isNaN(values[i])) {
                        m[i].appendMissing();
                    } else {
                        m[i].append(values[i]);
                    }
                }
            }
        }
        t.insertColumn(1, seed);
        t.addColumns(epochs);
        t.addColumns(m);
        return t;
    }

    /** The row of {@link #table()} for configuration {@code run}; a one-line error lists the runs if it is not one. */
    public Row row(String run) {
        Table t = table();
        List<String> names = t.stringColumn(History.RUN).asList();
        int i = names.indexOf(run);
        if (i < 0) {
            throw new IllegalArgumentException("no run '" + run + "' in this summary: use one of " + names);
        }
        return t.row(i);
    }

    /** The spread over seeds of {@code measure} for configuration {@code run}. */
    public Spread spread(String run, Measure measure) {
        List<Trial> trials = trialsOf(run);
        return spread(trials, t -> switch (measure) {
            case FINAL_VAL_ACCURACY -> t.finalVal();
            case BEST_VAL_ACCURACY -> t.bestVal();
            case EPOCHS_TO_TARGET -> t.epochsToTarget();
            case SECONDS_TO_TARGET -> t.secondsToTarget();
            case MEDIAN_EPOCH_SECONDS -> t.median();
            case FINAL_GAP -> t.finalTrain() - t.finalVal();
        });
    }

    /** {@code a} against {@code b} on final validation accuracy; see {@link Comparison}. */
    public Comparison compare(String a, String b) {
        return compare(a, b, Measure.FINAL_VAL_ACCURACY);
    }

    /** {@code a} against {@code b} on {@code measure}: a finding only when the difference exceeds the spread. */
    public Comparison compare(String a, String b, Measure measure) {
        if (measure.toTarget()) {
            requireTarget();
        }
        return Comparison.of(
                a,
                b,
                measure,
                spread(a, measure),
                spread(b, measure),
                trialsOf(a).size(),
                trialsOf(b).size());
    }

    /**
     * The configuration that reached the validation target in the fewest training seconds (mean over seeds),
     * among those where every seed reached it; empty when none did.
     */
    public Optional<String> fastestToTarget() {
        requireTarget();
        String best = null;
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, List<Trial>> e : grouped().entrySet()) {
            Spread s = spread(e.getValue(), Trial::secondsToTarget);
            if (s.n() == e.getValue().size() && s.mean() < bestSeconds) {
                best = e.getKey();
                bestSeconds = s.mean();
            }
        }
        return Optional.ofNullable(best);
    }

    /** The configuration with the highest mean final validation accuracy; an error when none has a validation set. */
    public String best() {
        String best = null;
        double bestAcc = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, List<Trial>> e : grouped().entrySet()) {
            double acc = spread(e.getValue(), Trial::finalVal).mean();
            if (acc > bestAcc) {
                best = e.getKey();
                bestAcc = acc;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no run has a validation accuracy: build the data with a validation "
                    + "split (ImageData.Builder.validation(0.1)) to choose on it");
        }
        return best;
    }

    /** The spread over seeds of {@code run}'s final test accuracy: report it for the chosen configuration only. */
    public Spread testAccuracyOf(String run) {
        return spread(trialsOf(run), Trial::finalTest);
    }

    /** The configuration chosen on validation ({@link #best()}) with its test accuracy, reported once. */
    public Choice choice() {
        return choice(best(), Measure.FINAL_VAL_ACCURACY);
    }

    /**
     * {@code run}, chosen by the caller on validation data by {@code by} (e.g. {@link Measure#SECONDS_TO_TARGET} for
     * the fastest to the target), with its test accuracy.
     */
    public Choice choice(String run, Measure by) {
        return new Choice(run, by, spread(run, Measure.FINAL_VAL_ACCURACY), testAccuracyOf(run));
    }

    /** {@code run}, chosen by the caller on validation data, with its test accuracy. */
    public Choice choice(String run) {
        return choice(run, null);
    }

    /**
     * A chosen configuration: what it was chosen by ({@code null}: the caller's rule on validation data), its
     * validation accuracy and its test accuracy.
     */
    public record Choice(String run, Measure by, Spread validation, Spread test) {
        @Override
        public String toString() {
            return "chosen on " + (by == null ? "validation data" : by) + ": " + run + " (validation accuracy "
                    + validation.format(100, "%", 2) + "); its test accuracy, reported once: "
                    + test.format(100, "%", 2);
        }
    }

    /**
     * A copy of a summary or history table for printing: accuracies and gaps as percentages, seconds with two
     * decimals, missing values blank.
     */
    public static Table printable(Table table) {
        Table copy = table.copy();
        for (String name : copy.columnNames()) {
            if (copy.column(name) instanceof DoubleColumn c) {
                if (name.contains("accuracy") || name.endsWith("gap")) {
                    c.setPrintFormatter(NumberColumnFormatter.percent(2));
                } else if (name.contains("seconds")) {
                    c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(2));
                } else if (name.startsWith("epochs")) {
                    c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
                }
            }
        }
        return copy;
    }

    private void requireTarget() {
        if (Double.isNaN(target)) {
            throw new IllegalStateException("this summary has no target: use RunSummary.of(runs, target)");
        }
    }

    private List<Trial> trialsOf(String run) {
        List<Trial> trials = grouped().get(run);
        if (trials == null) {
            throw new IllegalArgumentException("no run '" + run + "' in this summary: use one of " + runs());
        }
        return trials;
    }

    private List<String> configColumns() {
        return runs.columnNames().stream().filter(c -> !PER_EPOCH.contains(c)).toList();
    }

    private Map<String, List<Trial>> grouped() {
        Map<String, Map<Long, List<Integer>>> rows = new LinkedHashMap<>();
        boolean seeded = runs.columnNames().contains(SEED);
        for (int i = 0; i < runs.rowCount(); i++) {
            long seed = seeded ? (long) ((NumericColumn<?>) runs.column(SEED)).getDouble(i) : 0;
            rows.computeIfAbsent(runs.stringColumn(History.RUN).get(i), k -> new LinkedHashMap<>())
                    .computeIfAbsent(seed, k -> new ArrayList<>())
                    .add(i);
        }
        Map<String, List<Trial>> out = new LinkedHashMap<>();
        rows.forEach((run, bySeed) -> {
            List<Trial> trials = new ArrayList<>();
            bySeed.forEach((seed, idx) -> trials.add(
                    measure(run, seed, runs.rows(idx.stream().mapToInt(i -> i).toArray()))));
            out.put(run, trials);
        });
        return out;
    }

    private Trial measure(String run, long seed, Table t) {
        int last = t.rowCount() - 1;
        DoubleColumn val = t.doubleColumn(History.VAL_ACCURACY);
        DoubleColumn seconds = t.doubleColumn(History.SECONDS);
        double epochsTo = Double.NaN;
        double secondsTo = Double.NaN;
        if (!Double.isNaN(target)) {
            for (int i = 0; i <= last; i++) {
                if (val.getDouble(i) >= target) {
                    epochsTo = t.intColumn(History.EPOCH).get(i);
                    secondsTo = t.doubleColumn(History.CUMULATIVE_SECONDS).get(i);
                    break;
                }
            }
        }
        double bestVal = val.countMissing() == val.size() ? Double.NaN : val.max();
        return new Trial(
                run,
                seed,
                t.rows(last),
                t.rowCount(),
                val.getDouble(last),
                bestVal,
                t.doubleColumn(History.TRAIN_ACCURACY).getDouble(last),
                t.doubleColumn(History.TEST_ACCURACY).getDouble(last),
                seconds.inRange(Math.min(warmup, last), t.rowCount()).median(),
                t.doubleColumn(History.CUMULATIVE_SECONDS).getDouble(last),
                epochsTo,
                secondsTo);
    }

    private static void appendConfig(Table summary, List<String> config, Table lastRow) {
        summary.append(lastRow.selectColumns(config.toArray(String[]::new)));
    }

    private static void appendSpread(Map<String, DoubleColumn> cols, String base, Spread s, boolean all) {
        for (String suffix : List.of("", MIN, MAX, CI95)) {
            double x = !all
                    ? Double.NaN
                    : switch (suffix) {
                        case "" -> s.mean();
                        case MIN -> s.min();
                        case MAX -> s.max();
                        default -> s.halfWidth95();
                    };
            if (Double.isNaN(x)) {
                cols.get(base + suffix).appendMissing();
            } else {
                cols.get(base + suffix).append(x);
            }
        }
    }

    private static Spread spread(List<Trial> trials, java.util.function.ToDoubleFunction<Trial> f) {
        return Spread.of(trials.stream().mapToDouble(f).toArray());
    }

    private static double mean(List<Trial> trials, java.util.function.ToDoubleFunction<Trial> f) {
        return spread(trials, f).mean();
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "summary of %d configurations", grouped().size());
    }
}
