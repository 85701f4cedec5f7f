package dev.dropkit.experiment;

import java.util.Locale;

/**
 * How many times sooner one configuration reached a summary's validation target than another, over their seeds: the
 * ratio of the mean epochs or seconds to target, with the range the seeds allow (slowest against fastest seed and
 * the other way round). Whether the difference counts as a finding is {@link RunSummary#compare}'s rule (beyond the
 * seed-to-seed spread); a configuration that missed the target in some seed gives no ratio at all.
 *
 * @param ratio   mean of {@code slow} over mean of {@code fast}: above 1 when {@code fast} was faster
 * @param lowest  {@code slow}'s fastest seed over {@code fast}'s slowest seed
 * @param highest {@code slow}'s slowest seed over {@code fast}'s fastest seed
 */
public record SpeedUp(
        String fast, String slow, Measure measure, double ratio, double lowest, double highest, Comparison comparison) {

    /** {@code fast} against {@code slow} on {@link Measure#EPOCHS_TO_TARGET} or {@link Measure#SECONDS_TO_TARGET}. */
    public static SpeedUp of(RunSummary summary, String fast, String slow, Measure measure) {
        if (!measure.toTarget()) {
            throw new IllegalArgumentException("a speed-up is measured to a target: use Measure.EPOCHS_TO_TARGET or "
                    + "Measure.SECONDS_TO_TARGET, not " + measure.name());
        }
        Comparison c = summary.compare(fast, slow, measure);
        Spread f = c.spreadA();
        Spread s = c.spreadB();
        if (Double.isNaN(c.difference())) {
            return new SpeedUp(fast, slow, measure, Double.NaN, Double.NaN, Double.NaN, c);
        }
        return new SpeedUp(fast, slow, measure, s.mean() / f.mean(), s.min() / f.max(), s.max() / f.min(), c);
    }

    /** Whether there is a ratio (every seed of both reached the target). */
    public boolean measured() {
        return !Double.isNaN(ratio);
    }

    /**
     * e.g. {@code "speed-up of BN over no BN in training seconds to the target: 2.31x (seeds allow 1.90-2.80x; above 1:
     * BN was faster); BN beats no BN on ... by ..."}, or why there is no ratio.
     */
    @Override
    public String toString() {
        if (!measured()) {
            return comparison.text();
        }
        String unit = measure == Measure.EPOCHS_TO_TARGET ? "epochs" : "training seconds";
        return String.format(
                Locale.ROOT,
                "speed-up of %s over %s in %s to the target: %.2fx (seeds allow %.2f-%.2fx;"
                        + " above 1: %s was faster); %s",
                fast,
                slow,
                unit,
                ratio,
                lowest,
                highest,
                fast,
                comparison.text());
    }
}
