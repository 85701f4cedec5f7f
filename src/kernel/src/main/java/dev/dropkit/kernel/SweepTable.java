package dev.dropkit.kernel;

import dev.dropkit.experiment.RunSummary;
import dev.dropkit.experiment.Sweep;
import dev.dropkit.experiment.SweepListener;
import dev.dropkit.experiment.SweepProgress;
import dev.dropkit.train.History;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The kernel's live display of one sweep: one compact table (run, seed, epochs, validation and train accuracy,
 * seconds, status) with a row per trial, filled in as trials finish and updated in place. Trials may finish on
 * several threads at once: every call is synchronized, and what is sent is a copy of the rows. Updates are
 * throttled to the sink's least interval; a finish that comes sooner is sent once that interval has passed (a
 * trailing update), so the table never stays behind. The final state (with the sweep's total time) is sent when the
 * sweep finishes. Outside a cell it prints the library's plain lines.
 */
final class SweepTable implements SweepListener {
    /** Runs a task after a delay (a timer in the kernel, a test's hand-cranked queue in tests). */
    interface Later {
        void after(long nanos, Runnable task);
    }

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sweep-display-timer");
        t.setDaemon(true);
        return t;
    });

    /** The kernel's timer (one daemon thread shared by all sweeps). */
    static final Later TIMER_LATER = (nanos, task) -> TIMER.schedule(task, nanos, TimeUnit.NANOSECONDS);

    /** One trial's row, as shown. */
    private record Row(String run, long seed, String epochs, String val, String train, String seconds, String status) {}

    private final LiveProgress.Sink sink;
    private final LongSupplier clock;
    private final Later later;
    private final String id = UUID.randomUUID().toString();
    private final List<Row> rows = new ArrayList<>();
    private String name = "sweep";
    private long start;
    private long lastUpdate;
    private int done;
    private boolean shown;
    private boolean finished;
    private boolean trailingScheduled;
    private int changes;
    private int sentChanges;
    private int updates;
    /** Plain lines when no cell could show the table. */
    private SweepListener lines;

    SweepTable(LiveProgress.Sink sink, LongSupplier clock, Later later) {
        this.sink = sink;
        this.clock = clock;
        this.later = later;
    }

    /** How many times the table was sent (shown or updated). */
    synchronized int updates() {
        return updates;
    }

    @Override
    public synchronized void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
        if (!sink.attached()) {
            lines = SweepProgress.lines(System.out);
            lines.sweepStarted(name, trials);
            return;
        }
        this.name = name;
        start = clock.getAsLong();
        lastUpdate = start;
        rows.clear();
        for (Sweep.Trial<?> t : trials) {
            rows.add(new Row(t.run(), t.seed(), "", "", "", "", "waiting"));
        }
        sink.display(id, render(snapshot()));
        shown = true;
        sentChanges = changes;
        updates++;
    }

    @Override
    public synchronized void trialFinished(Sweep.Trial<?> trial, History h) {
        if (lines != null) {
            lines.trialFinished(trial, h);
            return;
        }
        done++;
        Row row = row(trial, h);
        int at = trial.index();
        if (at >= 0
                && at < rows.size()
                && rows.get(at).run().equals(trial.run())
                && rows.get(at).seed() == trial.seed()) {
            rows.set(at, row);
        } else {
            rows.add(row); // a trial the start did not list (a listener used on its own)
        }
        changes++;
        changed();
    }

    @Override
    public synchronized void sweepFinished(RunSummary summary) {
        if (lines != null) {
            lines.sweepFinished(summary);
            return;
        }
        finished = true;
        changes++;
        send();
    }

    /** Sends now if the last update is old enough, else once it is (one trailing update at a time). */
    private void changed() {
        if (!shown) {
            return;
        }
        long wait = lastUpdate + sink.minIntervalNanos() - clock.getAsLong();
        if (wait <= 0) {
            send();
        } else if (!trailingScheduled) {
            trailingScheduled = true;
            later.after(wait, this::trailing);
        }
    }

    private synchronized void trailing() {
        trailingScheduled = false;
        if (changes != sentChanges) {
            send();
        }
    }

    private void send() {
        if (!shown || !sink.attached()) {
            return; // the cell ended (e.g. interrupted) while trials still reported
        }
        lastUpdate = clock.getAsLong();
        sentChanges = changes;
        Snapshot now = snapshot();
        sink.update(id, () -> render(now));
        updates++;
    }

    /** What the table shows at one moment, copied so that it can be rendered on another thread. */
    private record Snapshot(String name, List<Row> rows, int done, double seconds, boolean finished) {}

    private Snapshot snapshot() {
        return new Snapshot(name, List.copyOf(rows), done, (clock.getAsLong() - start) / 1e9, finished);
    }

    private static Row row(Sweep.Trial<?> trial, History h) {
        if (h.epochs() == 0) {
            return new Row(trial.run(), trial.seed(), "0", "–", "–", "–", "no epochs trained");
        }
        String val = h.hasValidation() ? LiveProgress.percent(h.finalValAccuracy()) : "n/a";
        int planned = trial.training().epochs();
        String status = h.epochs() < planned ? "stopped after " + h.epochs() + " of " + planned : "done";
        return new Row(
                trial.run(),
                trial.seed(),
                Integer.toString(h.epochs()),
                val,
                LiveProgress.percent(h.finalTrainAccuracy()),
                String.format(Locale.ROOT, "%.1f", h.totalSeconds()),
                status);
    }

    private static String heading(Snapshot s) {
        int total = s.rows().size();
        return String.format(
                Locale.ROOT,
                "sweep over %s: %d of %d trial%s finished, %s%s",
                s.name(),
                s.done(),
                total,
                total == 1 ? "" : "s",
                LiveProgress.duration(s.seconds()),
                s.finished() ? " in all" : " so far");
    }

    private static final String[] COLUMNS = {"run", "seed", "epochs", "val acc", "train acc", "seconds", "status"};

    /** The table as HTML and as plain text (one line per trial). */
    static DisplayData render(Snapshot s) {
        StringBuilder html = new StringBuilder(256 + 160 * s.rows().size());
        html.append("<div><b>")
                .append(TableHtml.escape(heading(s)))
                .append("</b></div>")
                .append("<table class=\"dropkit-sweep\"><thead><tr>");
        for (String c : COLUMNS) {
            html.append("<th>").append(c).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        StringBuilder text = new StringBuilder(heading(s));
        for (Row r : s.rows()) {
            String[] cells = {r.run(), Long.toString(r.seed()), r.epochs(), r.val(), r.train(), r.seconds(), r.status()
            };
            html.append("<tr>");
            for (String c : cells) {
                html.append("<td>").append(TableHtml.escape(c)).append("</td>");
            }
            html.append("</tr>");
            text.append('\n').append(r.run()).append("  seed ").append(r.seed());
            if (!r.epochs().isEmpty()) {
                text.append("  ")
                        .append(r.epochs())
                        .append(" epochs  val ")
                        .append(r.val())
                        .append("  train ")
                        .append(r.train())
                        .append("  ")
                        .append(r.seconds())
                        .append(" s");
            }
            text.append("  ").append(r.status());
        }
        html.append("</tbody></table>");
        DisplayData data = new DisplayData();
        data.putHTML(html.toString());
        data.putText(text.toString());
        return data;
    }

    /** A sweep listener that never throws into the sweep: the first failure is reported once, then it is quiet. */
    static SweepListener safe(SweepListener delegate) {
        return new SweepListener() {
            private volatile boolean failed;

            private void guard(Runnable call) {
                if (failed) {
                    return;
                }
                try {
                    call.run();
                } catch (RuntimeException e) {
                    failed = true;
                    PrintStream err = System.err;
                    err.println("dropkit kernel: the live sweep table failed and is off for this sweep: " + e);
                }
            }

            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                guard(() -> delegate.sweepStarted(name, trials));
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History history) {
                guard(() -> delegate.trialFinished(trial, history));
            }

            @Override
            public void sweepFinished(RunSummary summary) {
                guard(() -> delegate.sweepFinished(summary));
            }
        };
    }
}
