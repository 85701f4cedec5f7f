package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * One row per run of a stacked history table (as {@link Sweep} returns): the configuration columns as at the run's
 * last epoch, then epochs, final test and train accuracy, best test accuracy, the train–test gap, the median seconds per epoch after
 * warm-up, the total training seconds, and the epochs and training seconds to a target test accuracy (missing when
 * the run never reached it). Runs keep the order in which they first appear.
 *
 * <pre>{@code
 * Table summary = RunSummary.of(runs, 0.97).warmup(2).table();
 * }</pre>
 */
public final class RunSummary {
    public static final String EPOCHS = "epochs";
    public static final String FINAL_TEST_ACCURACY = "final_test_accuracy";
    public static final String FINAL_TRAIN_ACCURACY = "final_train_accuracy";
    public static final String BEST_TEST_ACCURACY = "best_test_accuracy";
    public static final String FINAL_GAP = "final_gap";
    public static final String MEDIAN_EPOCH_SECONDS = "median_epoch_seconds";
    public static final String TOTAL_SECONDS = "total_seconds";
    public static final String EPOCHS_TO_TARGET = "epochs_to_target";
    public static final String SECONDS_TO_TARGET = "seconds_to_target";

    /** Per-epoch measurements: everything else in a history table is configuration. */
    private static final Set<String> PER_EPOCH = Set.of(History.EPOCH, History.TRAIN_LOSS, History.TRAIN_ACCURACY,
            History.TEST_ACCURACY, History.WEIGHT_NORM, History.SECONDS, History.CUMULATIVE_SECONDS);

    private final Table runs;
    private final double target;
    private int warmup = 1;

    private RunSummary(Table runs, double target) {
        for (String column : List.of(History.RUN, History.EPOCH, History.TRAIN_ACCURACY, History.TEST_ACCURACY,
                History.SECONDS, History.CUMULATIVE_SECONDS)) {
            if (!runs.columnNames().contains(column)) {
                throw new IllegalArgumentException("table " + runs.name() + " has no column '" + column
                        + "': summarise a history table (Training.fit(...).table() or a Sweep)");
            }
        }
        this.runs = runs;
        this.target = History.checkTarget(target);
    }

    /** A summary of every run in {@code runs} against the test accuracy {@code target} in (0, 1]. */
    public static RunSummary of(Table runs, double target) {
        return new RunSummary(runs, target);
    }

    /** Epochs left out of the median seconds per epoch (JIT and engine warm-up); default 1. */
    public RunSummary warmup(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("warm-up " + epochs + " must be zero or more epochs");
        }
        this.warmup = epochs;
        return this;
    }

    public double target() {
        return target;
    }

    /** The summary table, one row per run. */
    public Table table() {
        List<String> config = runs.columnNames().stream().filter(c -> !PER_EPOCH.contains(c)).toList();
        Table summary = runs.selectColumns(config.toArray(String[]::new)).emptyCopy();
        summary.setName(runs.name() + " summary");
        IntColumn epochs = IntColumn.create(EPOCHS);
        DoubleColumn finalAcc = DoubleColumn.create(FINAL_TEST_ACCURACY);
        DoubleColumn trainAcc = DoubleColumn.create(FINAL_TRAIN_ACCURACY);
        DoubleColumn bestAcc = DoubleColumn.create(BEST_TEST_ACCURACY);
        DoubleColumn gap = DoubleColumn.create(FINAL_GAP);
        DoubleColumn median = DoubleColumn.create(MEDIAN_EPOCH_SECONDS);
        DoubleColumn total = DoubleColumn.create(TOTAL_SECONDS);
        IntColumn epochsToTarget = IntColumn.create(EPOCHS_TO_TARGET);
        DoubleColumn secondsToTarget = DoubleColumn.create(SECONDS_TO_TARGET);
        for (String name : runNames()) {
            Table run = runs.where(runs.stringColumn(History.RUN).isEqualTo(name));
            int last = run.rowCount() - 1;
            summary.append(run.selectColumns(config.toArray(String[]::new)).rows(last));
            DoubleColumn test = run.doubleColumn(History.TEST_ACCURACY);
            DoubleColumn seconds = run.doubleColumn(History.SECONDS);
            epochs.append(run.rowCount());
            finalAcc.append(test.get(last));
            trainAcc.append(run.doubleColumn(History.TRAIN_ACCURACY).get(last));
            bestAcc.append(test.max());
            gap.append(run.doubleColumn(History.TRAIN_ACCURACY).get(last) - test.get(last));
            median.append(seconds.inRange(Math.min(warmup, last), run.rowCount()).median());
            total.append(run.doubleColumn(History.CUMULATIVE_SECONDS).get(last));
            int hit = firstReaching(test);
            if (hit < 0) {
                epochsToTarget.appendMissing();
                secondsToTarget.appendMissing();
            } else {
                epochsToTarget.append(run.intColumn(History.EPOCH).get(hit));
                secondsToTarget.append(run.doubleColumn(History.CUMULATIVE_SECONDS).get(hit));
            }
        }
        return summary.addColumns(epochs, finalAcc, trainAcc, bestAcc, gap, median, total, epochsToTarget, secondsToTarget);
    }

    /** The run that reached the target in the fewest training seconds, or empty when none did. */
    public java.util.Optional<String> fastestToTarget() {
        Table t = table();
        DoubleColumn seconds = t.doubleColumn(SECONDS_TO_TARGET);
        int best = -1;
        for (int i = 0; i < t.rowCount(); i++) {
            if (!seconds.isMissing(i) && (best < 0 || seconds.get(i) < seconds.get(best))) {
                best = i;
            }
        }
        return best < 0 ? java.util.Optional.empty() : java.util.Optional.of(t.stringColumn(History.RUN).get(best));
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
                }
            }
        }
        return copy;
    }

    private int firstReaching(DoubleColumn test) {
        for (int i = 0; i < test.size(); i++) {
            if (test.get(i) >= target) {
                return i;
            }
        }
        return -1;
    }

    private List<String> runNames() {
        Set<String> names = new LinkedHashSet<>(runs.stringColumn(History.RUN).asList());
        return new ArrayList<>(names);
    }
}
