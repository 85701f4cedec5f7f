package dev.dropkit.kernel;

/**
 * Options of the kernel's live training display. {@code dev.dropkit.kernel.LiveTraining.curve(true)} in a cell
 * adds a learning curve to every later run's display, redrawn after each epoch (off by default: drawing costs
 * tens of milliseconds per epoch).
 */
public final class LiveTraining {
    private static volatile boolean curve;
    private static final java.util.concurrent.atomic.LongAdder displayNanos = new java.util.concurrent.atomic.LongAdder();

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
        return displayNanos.sum() / 1e9;
    }

    static void spent(long nanos) {
        displayNanos.add(nanos);
    }
}
