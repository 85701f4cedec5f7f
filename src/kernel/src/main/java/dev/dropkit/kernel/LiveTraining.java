package dev.dropkit.kernel;

/**
 * Options of the kernel's live training display. {@code dev.dropkit.kernel.LiveTraining.curve(true)} in a cell
 * adds a learning curve to every later run's display, redrawn after each epoch (off by default: drawing costs
 * tens of milliseconds per epoch).
 */
public final class LiveTraining {
    private static volatile boolean curve;
    private static final String[] KINDS = {"runStarted", "batchFinished", "epochFinished", "runFinished", "sender"};
    private static final java.util.concurrent.atomic.LongAdder[] displayNanos = {
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder(), new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder()
    };
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private LiveTraining() {}

    /** Switches the redrawn learning curve of later runs on or off. */
    public static void curve(boolean on) {
        curve = on;
    }

    static boolean curve() {
        return curve;
    }

    /**
     * CPU seconds the live display used since the kernel started: in the training threads' listener calls and in
     * the thread that renders and sends the updates (to measure its cost).
     */
    public static double displayCpuSeconds() {
        long sum = 0;
        for (var adder : displayNanos) {
            sum += adder.sum();
        }
        return sum / 1e9;
    }

    /** {@link #displayCpuSeconds()} by listener call and sender, e.g. "runStarted 0.001 s, ...". */
    public static String displayBreakdown() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < KINDS.length; i++) {
            sb.append(i == 0 ? "" : ", ")
                    .append(KINDS[i])
                    .append(' ')
                    .append(String.format(java.util.Locale.ROOT, "%.4f s", displayNanos[i].sum() / 1e9));
        }
        return sb.toString();
    }

    /** CPU time of the calling thread (wall time where the JVM cannot measure it). */
    static long cpuNanos() {
        long cpu = THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        return cpu >= 0 ? cpu : System.nanoTime();
    }

    static void spent(int kind, long nanos) {
        displayNanos[kind].add(nanos);
    }
}
