package dev.dropkit.kernel;

import dev.dropkit.plot.LineChart;
import dev.dropkit.train.History;
import dev.dropkit.train.TrainingListener;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import tech.tablesaw.api.Table;

/**
 * The kernel's live display of one training run: one output that updates in place (a progress bar within the
 * epoch with the loss so far, elapsed time and time left, then a row per finished epoch) and, when the run ends,
 * collapses to one summary line whose epoch table opens on a click. A run that trains on later in the same cell
 * (an interleaved sweep trains each run one epoch per round) continues its display. Updates within an epoch are
 * throttled to
 * {@link #MIN_INTERVAL_NANOS}; the per-batch cost otherwise is one clock read.
 */
final class LiveProgress implements TrainingListener {
    /** At most ~4 updates a second within an epoch (the kernel's sink may ask for fewer, see AsyncSink). */
    static final long MIN_INTERVAL_NANOS = 250_000_000L;

    /** Where the display goes: a display id and its content (the kernel, or a test's recorder). */
    interface Sink {
        /** True while a cell runs (a display can be shown). */
        boolean attached();

        /** Shows a new display (may send later, but before any update of it). */
        void display(String id, DisplayData data);

        /** Replaces what display {@code id} shows; may render and send later, keeping only the newest. */
        void update(String id, Supplier<DisplayData> data);

        /** The least time between two updates within an epoch. */
        default long minIntervalNanos() {
            return MIN_INTERVAL_NANOS;
        }
    }

    /** What the display shows at one moment, copied so that it can be rendered on another thread. */
    private record Snapshot(String run, String bar, List<String> rows, String summary, Table curve) {}

    private final Sink sink;
    private final LongSupplier clock;
    private final boolean curve;
    private final String id = UUID.randomUUID().toString();
    private final List<String> rows = new ArrayList<>();
    private String run = "run";
    private int epochs;
    private long runStart;
    private double trainedSeconds;
    private long lastUpdate;
    private boolean shown;
    private String lastBar = "";
    private int updates;

    LiveProgress(Sink sink, LongSupplier clock, boolean curve) {
        this.sink = sink;
        this.clock = clock;
        this.curve = curve;
    }

    /** How many times the display was sent (for tests and the overhead measurement). */
    int updates() {
        return updates;
    }

    @Override
    public synchronized void runStarted(RunStart start) {
        run = start.run();
        if (shown && sink.attached()) {
            // The same run trains on (an interleaved sweep calls it once per round): same display, rows go on.
            epochs = rows.size() + start.epochs();
            lastUpdate = clock.getAsLong();
            lastBar = bar((double) rows.size() / Math.max(1, epochs)) + " training epoch " + (rows.size() + 1) + " of "
                    + epochs;
            send(false, null);
            return;
        }
        epochs = start.epochs();
        runStart = clock.getAsLong();
        lastUpdate = runStart;
        rows.clear();
        trainedSeconds = 0;
        lastBar = "starting " + epochs + (epochs == 1 ? " epoch" : " epochs") + " of " + start.batchesPerEpoch()
                + " batches";
        if (sink.attached()) {
            sink.display(id, render(snapshot(false, null)));
            shown = true;
            updates++;
        } else {
            System.out.println(run + ": " + lastBar);
        }
    }

    @Override
    public synchronized void batchFinished(BatchEnd batch) {
        long now = clock.getAsLong();
        if (now - lastUpdate < sink.minIntervalNanos() || !shown) {
            return;
        }
        lastUpdate = now;
        double fraction = (double) batch.batch() / batch.batches();
        double leftInEpoch = fraction > 0 ? batch.epochSeconds() * (1 - fraction) / fraction : Double.NaN;
        double perEpoch = fraction > 0 ? batch.epochSeconds() / fraction : Double.NaN;
        double left = leftInEpoch + perEpoch * Math.max(0, epochs - rows.size() - 1);
        lastBar = bar(fraction)
                + String.format(
                        Locale.ROOT,
                        " epoch %d/%d, batch %d/%d, loss %.4f, %s elapsed, %s left",
                        batch.epoch(),
                        epochs,
                        batch.batch(),
                        batch.batches(),
                        batch.meanLoss().getAsDouble(),
                        duration(trainedSeconds + batch.epochSeconds()),
                        duration(left));
        send(false, null);
    }

    @Override
    public synchronized void epochFinished(History history) {
        Table t = history.table();
        int r = t.rowCount() - 1;
        String row = String.format(
                Locale.ROOT,
                "%d|%.4f|%s|%s|%s|%.2f",
                t.intColumn(History.EPOCH).getInt(r),
                t.doubleColumn(History.TRAIN_LOSS).getDouble(r),
                percent(t.doubleColumn(History.TRAIN_ACCURACY).getDouble(r)),
                percent(t.doubleColumn(History.VAL_ACCURACY).getDouble(r)),
                percent(t.doubleColumn(History.TEST_ACCURACY).getDouble(r)),
                t.doubleColumn(History.SECONDS).getDouble(r));
        rows.add(row);
        trainedSeconds += t.doubleColumn(History.SECONDS).getDouble(r);
        lastUpdate = clock.getAsLong();
        int epoch = t.intColumn(History.EPOCH).getInt(r);
        double perEpoch = trainedSeconds / rows.size();
        lastBar = bar(Math.min(1.0, (double) rows.size() / Math.max(1, epochs)))
                + String.format(
                        Locale.ROOT,
                        " epoch %d/%d done, %s elapsed, %s left",
                        epoch,
                        epochs,
                        duration(trainedSeconds),
                        duration(perEpoch * Math.max(0, epochs - rows.size())));
        if (!shown) {
            System.out.println(run + ": " + lastBar);
            return;
        }
        send(false, curve ? history : null);
    }

    @Override
    public synchronized void runFinished(History history) {
        if (!shown) {
            return;
        }
        send(true, curve ? history : null);
    }

    private void send(boolean finished, History forCurve) {
        if (!sink.attached()) {
            return; // the cell ended (e.g. interrupted) while the run still reported
        }
        Snapshot now = snapshot(finished, forCurve);
        sink.update(id, () -> render(now));
        updates++;
    }

    private Snapshot snapshot(boolean finished, History forCurve) {
        Table curveTable = forCurve != null && forCurve.table().rowCount() > 0
                ? forCurve.table()
                        .selectColumns(History.EPOCH, History.TRAIN_LOSS)
                        .copy()
                : null;
        return new Snapshot(run, lastBar, List.copyOf(rows), finished ? summary() : null, curveTable);
    }

    /** The display's content: HTML (bar and epoch table, or a summary line when finished) and plain text. */
    static DisplayData render(Snapshot s) {
        DisplayData data = new DisplayData();
        StringBuilder html = new StringBuilder(512);
        boolean finished = s.summary() != null;
        if (finished) {
            html.append("<details><summary>")
                    .append(TableHtml.escape(s.summary()))
                    .append("</summary>");
        } else {
            html.append("<div><b>")
                    .append(TableHtml.escape(s.run()))
                    .append("</b> <code>")
                    .append(TableHtml.escape(s.bar()))
                    .append("</code></div>");
        }
        if (!s.rows().isEmpty()) {
            html.append("<table class=\"dropkit-progress\"><thead><tr><th>epoch</th><th>train loss</th>")
                    .append("<th>train acc</th><th>val acc</th><th>test acc</th><th>seconds</th></tr></thead><tbody>");
            for (String row : s.rows()) {
                html.append("<tr>");
                for (String cell : row.split("\\|")) {
                    html.append("<td>").append(cell).append("</td>");
                }
                html.append("</tr>");
            }
            html.append("</tbody></table>");
        }
        if (finished) {
            html.append("</details>");
        }
        if (s.curve() != null) {
            BufferedImage img = LineChart.of(s.curve(), History.EPOCH, History.TRAIN_LOSS)
                    .title(s.run() + ": training loss")
                    .size(480, 300)
                    .image();
            html.append("<img src=\"data:image/png;base64,")
                    .append(Renderers.png(img))
                    .append("\"/>");
        }
        data.putHTML(html.toString());
        data.putText(finished ? s.summary() : s.run() + " " + s.bar());
        return data;
    }

    private String summary() {
        if (rows.isEmpty()) {
            return run + ": stopped before the first epoch ended";
        }
        String[] last = rows.get(rows.size() - 1).split("\\|");
        return String.format(
                Locale.ROOT,
                "%s: %d epoch%s, train loss %s, test accuracy %s, %s of training",
                run,
                rows.size(),
                rows.size() == 1 ? "" : "s",
                last[1],
                last[4],
                duration(trainedSeconds));
    }

    static String bar(double fraction) {
        int width = 20;
        int full = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(full) + ".".repeat(width - full) + "]";
    }

    static String percent(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 60
                ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%.1fs", seconds);
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
