package dev.dropkit.train;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The per-epoch record of one training run, as a Tablesaw {@link Table} with one row per epoch:
 * <ul>
 *   <li>{@code run}, {@code dropout}, {@code lr}, {@code momentum}, {@code weight_decay}, {@code batch_size},
 *       {@code workers} (shards each batch is split into, see {@link Training#workers}): the configuration, repeated on each row so that runs can be stacked and grouped (dropout and lr as at the end
 *       of the epoch, for schedules, the adaptive controller and learned rates; {@code dropout} is the first dropout
 *       layer's rate, so a model with several dropout layers, e.g. concrete dropout learning one rate per layer,
 *       records only the first: the seed model has one);
 *   <li>{@code epoch} (1-based);
 *   <li>{@code train_loss}: mean minibatch loss during the epoch (dropout active, as Keras reports it);
 *   <li>{@code train_accuracy}, {@code val_loss}, {@code val_accuracy}, {@code test_accuracy}: measured after the
 *       epoch in inference mode (no dropout); the validation columns are NaN when the data holds no validation set;
 *   <li>{@code weight_norm}: L2 norm of all weights (not biases) after the epoch;
 *   <li>{@code seconds}: training time of the epoch (shuffling, forward, backward, update; not the evaluation);
 *   <li>{@code cumulative_seconds}: training time since the start of the run.
 * </ul>
 */
public final class History {
    public static final String RUN = "run";
    public static final String WORKERS = "workers";
    public static final String EPOCH = "epoch";
    public static final String TRAIN_LOSS = "train_loss";
    public static final String TRAIN_ACCURACY = "train_accuracy";
    public static final String VAL_LOSS = "val_loss";
    public static final String VAL_ACCURACY = "val_accuracy";
    public static final String TEST_ACCURACY = "test_accuracy";
    public static final String WEIGHT_NORM = "weight_norm";
    public static final String SECONDS = "seconds";
    public static final String CUMULATIVE_SECONDS = "cumulative_seconds";

    private final Table table;

    History(String run) {
        table = Table.create(
                run,
                StringColumn.create(RUN),
                DoubleColumn.create("dropout"),
                DoubleColumn.create("lr"),
                DoubleColumn.create("momentum"),
                DoubleColumn.create("weight_decay"),
                IntColumn.create("batch_size"),
                IntColumn.create(WORKERS),
                IntColumn.create(EPOCH),
                DoubleColumn.create(TRAIN_LOSS),
                DoubleColumn.create(TRAIN_ACCURACY),
                DoubleColumn.create(VAL_LOSS),
                DoubleColumn.create(VAL_ACCURACY),
                DoubleColumn.create(TEST_ACCURACY),
                DoubleColumn.create(WEIGHT_NORM),
                DoubleColumn.create(SECONDS),
                DoubleColumn.create(CUMULATIVE_SECONDS));
    }

    void add(
            Training config,
            double dropout,
            double lr,
            int epoch,
            double loss,
            double trainAcc,
            double valLoss,
            double valAcc,
            double testAcc,
            double weightNorm,
            double seconds) {
        double cumulative = table.rowCount() == 0
                ? seconds
                : table.doubleColumn(CUMULATIVE_SECONDS).get(table.rowCount() - 1) + seconds;
        Row row = table.appendRow();
        row.setString(RUN, table.name());
        row.setDouble("dropout", dropout);
        row.setDouble("lr", lr);
        row.setDouble("momentum", config.momentum());
        row.setDouble("weight_decay", config.weightDecay());
        row.setInt("batch_size", config.batchSize());
        row.setInt(WORKERS, config.workers());
        row.setInt(EPOCH, epoch);
        row.setDouble(TRAIN_LOSS, loss);
        row.setDouble(TRAIN_ACCURACY, trainAcc);
        row.setDouble(VAL_LOSS, valLoss);
        row.setDouble(VAL_ACCURACY, valAcc);
        row.setDouble(TEST_ACCURACY, testAcc);
        row.setDouble(WEIGHT_NORM, weightNorm);
        row.setDouble(SECONDS, seconds);
        row.setDouble(CUMULATIVE_SECONDS, cumulative);
    }

    /**
     * A history rebuilt from its table, e.g. rows that came back from another JVM: the columns must be the ones
     * listed in the class comment, in that order and of those types.
     */
    public static History of(Table rows) {
        History h = new History(rows.name());
        if (!rows.columnNames().equals(h.table.columnNames()) || !types(rows).equals(types(h.table))) {
            throw new IllegalArgumentException("table '" + rows.name() + "' is not a history: its columns "
                    + rows.columnNames() + " should be " + h.table.columnNames() + " with the types of History");
        }
        h.table.append(rows);
        return h;
    }

    /** A history from the CSV text of its table ({@code table().write().csv(...)}), column types as in History. */
    public static History readCsv(String run, String csv) {
        Table empty = new History(run).table;
        Table rows = Table.read()
                .usingOptions(tech.tablesaw.io.csv.CsvReadOptions.builderFromString(csv)
                        .columnTypes(types(empty).toArray(tech.tablesaw.api.ColumnType[]::new))
                        .tableName(run));
        return of(rows);
    }

    private static java.util.List<tech.tablesaw.api.ColumnType> types(Table t) {
        return t.columns().stream().map(c -> c.type()).toList();
    }

    /** The table itself (one row per epoch); the name of the table is the run's label. */
    public Table table() {
        return table;
    }

    public String run() {
        return table.name();
    }

    public int epochs() {
        return table.rowCount();
    }

    /** Accuracy after the last epoch on validation (the one to choose by), test or training data. */
    public double finalAccuracy(Metric metric) {
        return last(metric.column());
    }

    /** Best accuracy over all epochs on validation, test or training data. */
    public double bestAccuracy(Metric metric) {
        requireEpochs();
        DoubleColumn accuracy = table.doubleColumn(metric.column());
        return accuracy.countMissing() == accuracy.size() ? Double.NaN : accuracy.max();
    }

    /** Validation accuracy after the last epoch: what choices are made on. */
    public double finalValAccuracy() {
        return finalAccuracy(Metric.VALIDATION);
    }

    /** Best validation accuracy over all epochs. */
    public double bestValAccuracy() {
        return bestAccuracy(Metric.VALIDATION);
    }

    /** Test accuracy after the last epoch: report it for a configuration chosen on validation, once. */
    public double finalTestAccuracy() {
        return finalAccuracy(Metric.TEST);
    }

    public double finalTrainAccuracy() {
        return finalAccuracy(Metric.TRAIN);
    }

    /** Best test accuracy over all epochs (a figure to report, never to choose by). */
    public double bestTestAccuracy() {
        return bestAccuracy(Metric.TEST);
    }

    /** Whether the run measured a validation accuracy (the data held a validation split). */
    public boolean hasValidation() {
        return epochs() > 0 && !Double.isNaN(finalValAccuracy());
    }

    /**
     * Median training seconds per epoch; skip the first {@code warmup} epochs (the JIT warms up in them), but
     * always keep the last epoch.
     */
    public double medianEpochSeconds(int warmup) {
        int from = Math.min(warmup, Math.max(0, epochs() - 1));
        return table.doubleColumn(SECONDS).inRange(from, epochs()).median();
    }

    public double totalSeconds() {
        return last(CUMULATIVE_SECONDS);
    }

    /** Training minus validation accuracy after the last epoch (positive: the model fits training data better). */
    public double finalGap() {
        return finalTrainAccuracy() - finalValAccuracy();
    }

    /** The first epoch whose validation accuracy reaches {@code target}, if any. */
    public java.util.OptionalInt epochsToReach(double target) {
        return epochsToReach(Metric.VALIDATION, target);
    }

    /** The first epoch whose {@code metric} accuracy reaches {@code target}, if any. */
    public java.util.OptionalInt epochsToReach(Metric metric, double target) {
        int i = firstReaching(metric, target);
        return i < 0
                ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(table.intColumn(EPOCH).get(i));
    }

    /** Training seconds until the end of the first epoch whose validation accuracy reaches {@code target}, if any. */
    public java.util.OptionalDouble secondsToReach(double target) {
        return secondsToReach(Metric.VALIDATION, target);
    }

    /** Training seconds until the end of the first epoch whose {@code metric} accuracy reaches {@code target}. */
    public java.util.OptionalDouble secondsToReach(Metric metric, double target) {
        int i = firstReaching(metric, target);
        return i < 0
                ? java.util.OptionalDouble.empty()
                : java.util.OptionalDouble.of(
                        table.doubleColumn(CUMULATIVE_SECONDS).get(i));
    }

    /** {@code target} if it is an accuracy in (0, 1]; otherwise a one-line error naming it. */
    public static double checkTarget(double target) {
        if (!(target > 0 && target <= 1)) {
            throw new IllegalArgumentException(
                    "target accuracy " + target + " is outside (0, 1]: give a fraction, e.g. 0.97 for 97%");
        }
        return target;
    }

    private int firstReaching(Metric metric, double target) {
        checkTarget(target);
        DoubleColumn accuracy = table.doubleColumn(metric.column());
        for (int i = 0; i < epochs(); i++) {
            if (accuracy.getDouble(i) >= target) {
                return i;
            }
        }
        return -1;
    }

    private void requireEpochs() {
        if (epochs() == 0) {
            throw new IllegalStateException("run " + run() + " has no epochs yet");
        }
    }

    private double last(String column) {
        requireEpochs();
        return table.doubleColumn(column).getDouble(epochs() - 1); // NaN when missing (no validation split)
    }

    @Override
    public String toString() {
        return table.printAll();
    }
}
