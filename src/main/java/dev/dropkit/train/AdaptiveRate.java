package dev.dropkit.train;

import tech.tablesaw.api.Table;

/**
 * A dropout rate that adjusts itself to how the model is doing: after each epoch it reads the train–validation
 * accuracy gap and the validation trend from the run's {@link History} and moves the rate within bounds. It is a
 * {@link Schedule} (the loop asks it for the rate at every step, as for any dropout schedule) and a
 * {@link TrainingListener} (the loop tells it each epoch's row), so the one training loop runs it; History's
 * {@code dropout} column records the rate each epoch used.
 *
 * <p>The rule, after epoch {@code e} (accuracies as fractions):
 *
 * <pre>
 *   gap   = train_accuracy(e) - val_accuracy(e)
 *   trend = val_accuracy(e) - val_accuracy(e-1)                    (0 after the first epoch)
 *   error = gap - targetGap
 *   step  = 0                                      if |error| <= deadBand
 *         = gain * (error - sign(error) * deadBand) otherwise
 *   step  = 0                                      if step < 0 and trend < 0
 *   rate  = clamp(rate + step, lower, upper)
 * </pre>
 *
 * A gap above the band means over-fitting: the rate rises in proportion to the excess. A gap below it means the
 * model fits training data no better than unseen data: the rate falls, so the model learns faster, but never while
 * validation accuracy is falling (then noise, not a lack of capacity, is the likelier cause). Defaults: target gap
 * 0.01 (one point), dead band 0.005, gain 5 (one point of excess gap moves the rate by 0.05).
 *
 * <pre>{@code
 * AdaptiveRate rate = AdaptiveRate.from(0.5).bounds(0.1, 0.8).build();
 * History h = Training.of(Mlp.seedModel()).dropout(rate).epochs(20).fit(data);   // data with a validation set
 * }</pre>
 *
 * <p>An instance holds the state of one run; {@link #forRun(int)} gives a fresh one with the same settings (the loop
 * calls it, so a configuration shared by several runs or seeds does not share the state).
 */
public final class AdaptiveRate implements Schedule, TrainingListener {
    private static final String NO_VALIDATION = "the adaptive dropout rate reads validation accuracy after each"
            + " epoch, but the data hold no validation set: hold one out of the training images with the data's"
            + " validation fraction (e.g. 0.1; on the command line --validation 0.1)";

    private final double initial;
    private final double lower;
    private final double upper;
    private final double targetGap;
    private final double deadBand;
    private final double gain;
    private volatile double rate;
    private double previousValidation = Double.NaN;
    private int epochsSeen;

    private AdaptiveRate(Builder b) {
        this.initial = b.initial;
        this.lower = b.lower;
        this.upper = b.upper;
        this.targetGap = b.targetGap;
        this.deadBand = b.deadBand;
        this.gain = b.gain;
        this.rate = initial;
    }

    /** Settings starting at {@code initial}, with the default bounds [0, 0.8] and rule (see the class comment). */
    public static Builder from(double initial) {
        return new Builder(initial);
    }

    /** A fresh controller with these settings for a run whose data hold {@code validationExamples} examples. */
    public AdaptiveRate forRun(int validationExamples) {
        if (validationExamples < 1) {
            throw new IllegalArgumentException(NO_VALIDATION);
        }
        return new Builder(this).build();
    }

    /**
     * The rate for the coming steps (the same at every position until the next epoch ends). A position past an
     * epoch whose end it was not told of is an error: the loop must call {@link #epochFinished} after each epoch,
     * or the rate would silently stay where it started.
     */
    @Override
    public double at(double epoch) {
        if (Math.floor(epoch) > epochsSeen) {
            throw new IllegalStateException("the adaptive dropout rate was asked for epoch " + epoch + " but told of "
                    + epochsSeen + " finished epochs: the training loop must call epochFinished after each epoch");
        }
        return rate;
    }

    /** The current rate. */
    public double rate() {
        return rate;
    }

    /** Reads the epoch's train and validation accuracy (the last row of {@code history}) and moves the rate. */
    @Override
    public void epochFinished(History history) {
        Table t = history.table();
        int last = t.rowCount() - 1;
        observe(
                t.doubleColumn(History.TRAIN_ACCURACY).get(last),
                t.doubleColumn(History.VAL_ACCURACY).get(last));
    }

    /** One step of the rule for an epoch that ended at these accuracies; returns the new rate. */
    double observe(double trainAccuracy, double validationAccuracy) {
        if (Double.isNaN(validationAccuracy)) {
            throw new IllegalStateException(NO_VALIDATION);
        }
        double gap = trainAccuracy - validationAccuracy;
        double trend = Double.isNaN(previousValidation) ? 0 : validationAccuracy - previousValidation;
        double error = gap - targetGap;
        double step = Math.abs(error) <= deadBand ? 0 : gain * (error - Math.signum(error) * deadBand);
        if (step < 0 && trend < 0) {
            step = 0;
        }
        previousValidation = validationAccuracy;
        epochsSeen++;
        rate = Math.min(upper, Math.max(lower, rate + step));
        return rate;
    }

    @Override
    public String toString() {
        return "adaptive dropout from " + initial + " in [" + lower + ", " + upper + "], target gap " + targetGap
                + " ± " + deadBand + ", gain " + gain;
    }

    /** Settings of an {@link AdaptiveRate}; every value is checked when given. */
    public static final class Builder {
        private final double initial;
        private double lower = 0;
        private double upper = 0.8;
        private double targetGap = 0.01;
        private double deadBand = 0.005;
        private double gain = 5;

        private Builder(double initial) {
            if (!(initial >= 0 && initial < 1)) {
                throw new IllegalArgumentException("initial dropout rate " + initial
                        + " is outside [0, 1): give the fraction of units dropped, e.g. 0.5");
            }
            this.initial = initial;
        }

        private Builder(AdaptiveRate settings) {
            this.initial = settings.initial;
            this.lower = settings.lower;
            this.upper = settings.upper;
            this.targetGap = settings.targetGap;
            this.deadBand = settings.deadBand;
            this.gain = settings.gain;
        }

        /** The rate stays within [{@code lower}, {@code upper}], both in [0, 1). */
        public Builder bounds(double lower, double upper) {
            if (!(lower >= 0 && lower < 1) || !(upper >= 0 && upper < 1)) {
                throw new IllegalArgumentException(
                        "dropout-rate bounds [" + lower + ", " + upper + "] must lie in [0, 1): e.g. bounds(0.1, 0.8)");
            }
            if (lower > upper) {
                throw new IllegalArgumentException("lower dropout-rate bound " + lower + " is above the upper bound "
                        + upper + ": swap them, e.g. bounds(" + upper + ", " + lower + ")");
            }
            this.lower = lower;
            this.upper = upper;
            return this;
        }

        /** The train–validation accuracy gap aimed at, as a fraction in [0, 1) (default 0.01: one point). */
        public Builder targetGap(double gap) {
            if (!(gap >= 0 && gap < 1)) {
                throw new IllegalArgumentException("target gap " + gap
                        + " is outside [0, 1): give a fraction of accuracy, e.g. 0.01 for one point");
            }
            this.targetGap = gap;
            return this;
        }

        /** Gaps within {@code band} of the target leave the rate alone (default 0.005). */
        public Builder deadBand(double band) {
            if (!(band >= 0 && band < 1)) {
                throw new IllegalArgumentException("dead band " + band
                        + " is outside [0, 1): give a fraction of accuracy, e.g. 0.005 for half a point");
            }
            this.deadBand = band;
            return this;
        }

        /** Rate change per unit of gap outside the band (default 5: one point moves the rate by 0.05). */
        public Builder gain(double gain) {
            if (!(gain > 0) || Double.isInfinite(gain)) {
                throw new IllegalArgumentException("gain " + gain + " must be positive: e.g. 5");
            }
            this.gain = gain;
            return this;
        }

        public AdaptiveRate build() {
            if (initial < lower || initial > upper) {
                throw new IllegalArgumentException("initial dropout rate " + initial + " is outside the bounds ["
                        + lower + ", " + upper + "]: start within them");
            }
            return new AdaptiveRate(this);
        }
    }
}
