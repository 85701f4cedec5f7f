package dev.dropkit.kernel;

/**
 * Options of the kernel's live training display. {@code dev.dropkit.kernel.LiveTraining.curve(true)} in a cell
 * adds a learning curve to every later run's display, redrawn after each epoch (off by default: drawing costs
 * tens of milliseconds per epoch).
 */
public final class LiveTraining {
    private static volatile boolean curve;
    private static final String[] KINDS = {"runStarted", "batchFinished", "epochFinished", "runFinished"};
    private static final java.util.concurrent.atomic.LongAdder[] displayNanos = {
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder()};

    private LiveTraining() {}

    /** Switches the redrawn learning curve of later runs on or off. */
    public static void curve(boolean on) {
        curve = on;
    }

    static boolean curve() {
        return curve;
    }

    /** Seconds the training threads spent in the live display since the kernel started (to measure its cost). */
    public static double displaySeconds() {
        long sum = 0;
        for (var adder : displayNanos) {
            sum += adder.sum();
        }
        return sum / 1e9;
    }

    /** {@link #displaySeconds()} by listener call, e.g. "runStarted 0.001 s, batchFinished 0.004 s, ...". */
    public static String displayBreakdown() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < KINDS.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(KINDS[i]).append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.4f s", displayNanos[i].sum() / 1e9));
        }
        return sb.toString();
    }

    static void spent(int kind, long nanos) {
        displayNanos[kind].add(nanos);
    }
}
