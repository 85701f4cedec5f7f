package dev.dropkit.experiment;

/**
 * What {@link RunSummary#compare} compares: per seed, one figure of a run, all measured on validation data or on
 * the clock; never on test data (test accuracy is reported once, for the choice).
 */
public enum Measure {
    FINAL_VAL_ACCURACY(RunSummary.FINAL_VAL_ACCURACY, "final validation accuracy", true, 100, " points", 2),
    BEST_VAL_ACCURACY(RunSummary.BEST_VAL_ACCURACY, "best validation accuracy", true, 100, " points", 2),
    EPOCHS_TO_TARGET(RunSummary.EPOCHS_TO_TARGET, "epochs to the validation target", false, 1, " epochs", 1),
    SECONDS_TO_TARGET(RunSummary.SECONDS_TO_TARGET, "training seconds to the validation target", false, 1, " s", 2),
    MEDIAN_EPOCH_SECONDS(RunSummary.MEDIAN_EPOCH_SECONDS, "median seconds per epoch", false, 1, " s", 3),
    /** Training minus validation accuracy after the last epoch: smaller means less over-fitting. */
    FINAL_GAP(RunSummary.FINAL_GAP, "train-validation gap", false, 100, " points", 2);

    private final String column;
    private final String description;
    private final boolean higherIsBetter;
    private final double scale;
    private final String unit;
    private final int decimals;

    Measure(String column, String description, boolean higherIsBetter, double scale, String unit, int decimals) {
        this.column = column;
        this.description = description;
        this.higherIsBetter = higherIsBetter;
        this.scale = scale;
        this.unit = unit;
        this.decimals = decimals;
    }

    /** The column of {@link RunSummary#table()} (its mean) and {@link RunSummary#trials()} (per seed). */
    public String column() {
        return column;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** Whether the measure needs a target (a seed that never reached it has no value). */
    public boolean toTarget() {
        return this == EPOCHS_TO_TARGET || this == SECONDS_TO_TARGET;
    }

    /** {@code x} (a difference or a spread) in this measure's unit, e.g. "0.42 points" or "3.10 s". */
    String amount(double x) {
        return String.format(java.util.Locale.ROOT, "%." + decimals + "f%s", scale * x, unit);
    }

    @Override
    public String toString() {
        return description;
    }
}
