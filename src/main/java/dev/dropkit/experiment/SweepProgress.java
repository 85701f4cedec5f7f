package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Where a sweep's progress goes by default, like {@link dev.dropkit.train.Progress} for one run. Outside a notebook
 * kernel that installs its own display, a sweep prints one line when it starts and one per finished trial; a
 * kernel installs a live display (e.g. a table that fills in as trials finish) with {@link #install}.
 *
 * <p>The runs inside a sweep do not print their own per-epoch lines by default (a sweep of nine rates over three
 * seeds and ten epochs would print 270 of them); {@link Sweep#epochProgress(boolean)} switches them back on.
 */
public final class SweepProgress {
    private static volatile Supplier<SweepListener> factory;

    private SweepProgress() {}

    /** Makes {@code display} the source of every later sweep's default listener (one call per sweep). */
    public static void install(Supplier<SweepListener> display) {
        factory = Objects.requireNonNull(display, "display");
    }

    /** Back to the plain lines. */
    public static void reset() {
        factory = null;
    }

    /** The listener a sweep uses by default: the installed display, else plain lines on standard output. */
    public static SweepListener forSweep() {
        Supplier<SweepListener> f = factory;
        return f != null ? f.get() : lines(System.out);
    }

    /** Plain lines on {@code out}: one when the sweep starts, one per finished trial. */
    public static SweepListener lines(PrintStream out) {
        return new SweepListener() {
            private int total;
            private int done;

            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                total = trials.size();
                long configs = Math.max(
                        1, trials.stream().map(Sweep.Trial::run).distinct().count());
                long seeds = total / configs;
                out.println(String.format(
                        Locale.ROOT,
                        "sweep over %s: %d trial%s (%d configuration%s x %d seed%s)",
                        name,
                        total,
                        total == 1 ? "" : "s",
                        configs,
                        configs == 1 ? "" : "s",
                        seeds,
                        seeds == 1 ? "" : "s"));
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History h) {
                done++;
                out.println(line(done, total, trial, h));
            }

            @Override
            public void trialFailed(Sweep.Trial<?> trial, String message) {
                done++;
                out.println(String.format(
                        Locale.ROOT,
                        "[%d/%d] %s  seed %d  FAILED: %s",
                        done,
                        total,
                        trial.run(),
                        trial.seed(),
                        message));
            }
        };
    }

    /** e.g. {@code [2/6] dropout=0.5  seed 43  10 epochs  val 97.12% (best 97.30%)  train 98.10%  12.3 s}. */
    static String line(int done, int total, Sweep.Trial<?> trial, History h) {
        if (h.epochs() == 0) {
            return String.format(
                    Locale.ROOT, "[%d/%d] %s  seed %d  no epochs trained", done, total, trial.run(), trial.seed());
        }
        String val = h.hasValidation()
                ? String.format(
                        Locale.ROOT, "val %.2f%% (best %.2f%%)", 100 * h.finalValAccuracy(), 100 * h.bestValAccuracy())
                : "val n/a (no validation split)";
        return String.format(
                Locale.ROOT,
                "[%d/%d] %s  seed %d  %d epoch%s  %s  train %.2f%%  %.1f s",
                done,
                total,
                trial.run(),
                trial.seed(),
                h.epochs(),
                h.epochs() == 1 ? "" : "s",
                val,
                100 * h.finalTrainAccuracy(),
                h.totalSeconds());
    }
}
