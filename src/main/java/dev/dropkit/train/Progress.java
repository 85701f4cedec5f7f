package dev.dropkit.train;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where a run's progress goes by default. Outside a notebook kernel that installs its own display, runs print plain
 * lines; the dropkit notebook kernel installs a live display with {@link #install}. The library never depends on the
 * kernel: the kernel (or a user) plugs in here.
 */
public final class Progress {
    private static volatile Supplier<TrainingListener> factory;

    private Progress() {}

    /** Makes {@code display} the source of every later run's default listener (one call per run). */
    public static void install(Supplier<TrainingListener> display) {
        factory = Objects.requireNonNull(display, "display");
    }

    /** Back to the plain lines. */
    public static void reset() {
        factory = null;
    }

    /** Plain lines on {@code out}, one per finished epoch: what runs print by default outside a kernel. */
    public static TrainingListener lines(java.io.PrintStream out) {
        return ConsoleProgress.create(out);
    }

    /** The listener a run with progress switched on uses: the installed display, else plain console lines. */
    public static TrainingListener forRun() {
        Supplier<TrainingListener> f = factory;
        return f != null ? f.get() : ConsoleProgress.create();
    }
}
