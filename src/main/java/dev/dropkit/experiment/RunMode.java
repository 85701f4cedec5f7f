package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import java.util.Locale;

/**
 * Full or quick: how big a notebook's runs are. {@code ./run} executes notebooks in full mode (whole data sets, the
 * stated epochs); {@code ./run test} sets {@code DROPKIT_MODE=quick} (a subset and at most two epochs) so that
 * every notebook is executed end to end in CI within minutes. Notebooks ask this class instead of hard-coding sizes.
 */
public enum RunMode {
    FULL,
    QUICK;

    /** Training and test examples kept in quick mode. */
    public static final int QUICK_TRAIN = 5_000;

    public static final int QUICK_TEST = 2_000;

    /** The mode named by {@code DROPKIT_MODE} ("full" when unset). */
    public static RunMode current() {
        return parse(System.getenv("DROPKIT_MODE"));
    }

    public static RunMode parse(String value) {
        if (value == null || value.isBlank()) {
            return FULL;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> FULL;
            case "quick" -> QUICK;
            default ->
                throw new IllegalArgumentException("DROPKIT_MODE='" + value + "' is not a mode: use full or quick");
        };
    }

    public boolean isQuick() {
        return this == QUICK;
    }

    /** {@code full} epochs in full mode, at most two in quick mode. */
    public int epochs(int full) {
        return isQuick() ? Math.min(full, 2) : full;
    }

    /**
     * Seeds per configuration in a notebook's key comparisons: at least 3 in full mode, 2 in quick mode (two are
     * the fewest that show a seed-to-seed spread).
     */
    public int seeds() {
        return isQuick() ? 2 : 3;
    }

    /**
     * The one warm-up rule: epochs at the start of a run that timings leave out (the first epochs include JIT
     * compilation and the engine's allocator warming up): 2 in full mode, 1 in quick mode. Medians of a run keep
     * at least its last epoch ({@link dev.dropkit.train.History#medianEpochSeconds}); timing benchmarks run this many
     * untimed epochs first ({@link EpochBench#warmup}).
     */
    public int warmupEpochs() {
        return isQuick() ? 1 : 2;
    }

    /**
     * The target validation accuracy for time-to-target figures: {@code full} on the whole data set, {@code quick} on the
     * quick subset, whose few epochs on 5,000 images cannot reach a full-data target. Both must lie in (0, 1].
     */
    public double target(double full, double quick) {
        History.checkTarget(full);
        History.checkTarget(quick);
        return isQuick() ? quick : full;
    }

    /** A data set builder: the whole set in full mode, a seeded subset in quick mode. */
    public ImageData.Builder data(String name) {
        ImageData.Builder builder = ImageData.builder(name);
        return isQuick() ? builder.trainSubset(QUICK_TRAIN).testSubset(QUICK_TEST) : builder;
    }

    /** One line for the top of a notebook. */
    public String describe() {
        return isQuick()
                ? String.format(
                        Locale.ROOT,
                        "quick mode (DROPKIT_MODE=quick): %,d training and %,d test images, "
                                + "at most 2 epochs per run; figures below are from this small run",
                        QUICK_TRAIN,
                        QUICK_TEST)
                : "full mode: whole data sets and the stated epochs";
    }
}
