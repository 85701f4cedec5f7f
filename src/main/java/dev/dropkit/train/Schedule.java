package dev.dropkit.train;

/**
 * A value that changes over training — a learning rate or a dropout rate — as a function of the position in
 * training measured in epochs (0 at the first step, 1.5 halfway through the second epoch).
 *
 * <pre>{@code
 * Schedule.cosine(0.1, 0, 10).withWarmup(1)      // learning rate: 1 epoch of warm-up, then cosine to 0
 * Schedule.curriculum(0.5, 2.0)                  // dropout rate: 0 at the start, rising towards 0.5
 * }</pre>
 */
@FunctionalInterface
public interface Schedule {
    /** The value at {@code epoch} epochs into training. */
    double at(double epoch);

    static Schedule constant(double value) {
        return epoch -> value;
    }

    /** {@code initial * factor^floor(epoch / every)}: the classic step decay. */
    static Schedule step(double initial, double factor, int every) {
        if (every < 1) {
            throw new IllegalArgumentException("step schedule period " + every + " must be at least 1 epoch");
        }
        return epoch -> initial * Math.pow(factor, Math.floor(epoch / every));
    }

    /** Cosine annealing from {@code initial} to {@code minimum} over {@code epochs}, then held at the minimum. */
    static Schedule cosine(double initial, double minimum, double epochs) {
        if (!(epochs > 0)) {
            throw new IllegalArgumentException("cosine schedule length " + epochs + " must be positive");
        }
        return epoch -> minimum + (initial - minimum) * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, epoch / epochs)));
    }

    /** A straight line from {@code from} to {@code to} over {@code epochs}, then held at {@code to}. */
    static Schedule linear(double from, double to, double epochs) {
        if (!(epochs > 0)) {
            throw new IllegalArgumentException("linear schedule length " + epochs + " must be positive");
        }
        return epoch -> from + (to - from) * Math.min(1, epoch / epochs);
    }

    /**
     * Curriculum dropout (Morerio et al., 2017): the drop rate starts at 0 and rises towards {@code target} as
     * {@code target * (1 - exp(-gamma * epoch))}, so early training sees clean inputs and the regularisation grows.
     */
    static Schedule curriculum(double target, double gamma) {
        if (!(gamma > 0)) {
            throw new IllegalArgumentException("curriculum gamma " + gamma + " must be positive: try 1 (per epoch)");
        }
        return epoch -> target * (1 - Math.exp(-gamma * epoch));
    }

    /**
     * A dropout rate that starts at {@code initial} and, after each epoch, moves within [{@code lower},
     * {@code upper}] by the train–validation gap: see {@link AdaptiveRate} for the rule and its other settings.
     */
    static AdaptiveRate adaptive(double initial, double lower, double upper) {
        return AdaptiveRate.from(initial).bounds(lower, upper).build();
    }

    /** Linear warm-up from 0 over {@code epochs} (Goyal et al., 2017), then this schedule. */
    default Schedule withWarmup(double epochs) {
        if (!(epochs >= 0)) {
            throw new IllegalArgumentException("warm-up length " + epochs + " must be zero or positive");
        }
        return epoch -> epoch < epochs ? at(epoch) * (epoch + 1e-3) / epochs : at(epoch);
    }
}
