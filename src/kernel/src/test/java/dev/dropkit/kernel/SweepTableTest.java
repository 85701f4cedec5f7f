package dev.dropkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.RunSummary;
import dev.dropkit.experiment.Sweep;
import dev.dropkit.experiment.SweepListener;
import dev.dropkit.experiment.SweepProgress;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Progress;
import dev.dropkit.train.Training;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTableTest {
    private static final Sweep<Double> SWEEP =
            Sweep.of("rate", List.of(0.05, 0.1)).seeds(2).labels(r -> String.format(Locale.ROOT, "sgd %.2f", r));
    private static final java.util.function.Function<Double, Training> CONFIGURE =
            r -> Training.of(Mlp.seedModel()).sgd(r).epochs(1);

    /** The trials of a real sweep with their histories and the summary, heard while the sweep ran. */
    private static final List<Sweep.Trial<?>> TRIALS = new ArrayList<>();

    private static final List<History> HISTORIES = new ArrayList<>();
    private static RunSummary summary;
    private static LiveProgressTest.Recorder sweepSink;
    private static LiveProgressTest.Recorder runSink;
    private static String printed;

    @BeforeAll
    static void runARealSweepThroughTheInstalledTable(@TempDir Path tmp) throws IOException {
        Path dir = LiveProgressTest.idx(tmp.resolve("data"), 256, 64);
        sweepSink = new LiveProgressTest.Recorder();
        runSink = new LiveProgressTest.Recorder();
        SweepListener heard = new SweepListener() {
            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                TRIALS.addAll(trials);
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History history) {
                HISTORIES.add(history);
            }

            @Override
            public void sweepFinished(RunSummary s) {
                summary = s;
            }
        };
        SweepTable table = new SweepTable(sweepSink, System::nanoTime, (nanos, task) -> task.run());
        SweepProgress.install(() -> both(SweepTable.safe(table), heard));
        Progress.install(() -> new LiveProgress(runSink, System::nanoTime, false));
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true));
        try (ImageData data = ImageData.fromFolder(dir).build()) {
            SWEEP.run(data, CONFIGURE);
        } finally {
            System.setOut(out);
            SweepProgress.reset();
            Progress.reset();
        }
        printed = bytes.toString();
    }

    private static SweepListener both(SweepListener a, SweepListener b) {
        return new SweepListener() {
            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                a.sweepStarted(name, trials);
                b.sweepStarted(name, trials);
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History history) {
                a.trialFinished(trial, history);
                b.trialFinished(trial, history);
            }

            @Override
            public void sweepFinished(RunSummary s) {
                a.sweepFinished(s);
                b.sweepFinished(s);
            }
        };
    }

    private static int rows(String html) {
        return html.split("<tr>", -1).length - 2; // less the header row
    }

    @Test
    void aSweepShowsOneTableThatFillsInAndPrintsNoLines() {
        assertEquals(4, TRIALS.size());
        assertEquals(1, sweepSink.displays, "one display for the whole sweep");
        assertEquals(1, sweepSink.ids.stream().distinct().count(), "every update goes to that display");
        assertEquals(1 + 4 + 1, sweepSink.shown.size(), "shown, one update per trial (no throttle here), final");
        assertEquals(0, runSink.shown.size(), "the runs inside a sweep show no display of their own");
        assertEquals("", printed, "and nothing is printed");
        for (int i = 0; i < sweepSink.shown.size(); i++) {
            String html = (String)
                    sweepSink.shown.get(i).getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_HTML);
            assertEquals(4, rows(html), "a row per trial from the start");
            int finished = Math.min(i, 4);
            assertEquals(finished, html.split("<td>done</td>", -1).length - 1, "update " + i + ": " + html);
            assertEquals(4 - finished, html.split("<td>waiting</td>", -1).length - 1, html);
        }
        String text = sweepSink.lastText();
        assertTrue(text.startsWith("sweep over rate: 4 of 4 trials finished"), text);
        assertTrue(text.contains("in all"), text);
        assertTrue(text.contains("sgd 0.10  seed "), text);
        assertTrue(sweepSink.lastHtml().contains("<th>val acc</th>"), sweepSink.lastHtml());
    }

    @Test
    void finishesThatComeTooSoonAreSentOnceTheIntervalHasPassed() {
        LiveProgressTest.Recorder sink = new LiveProgressTest.Recorder();
        AtomicLong now = new AtomicLong();
        List<Runnable> timer = new ArrayList<>();
        List<Long> delays = new ArrayList<>();
        SweepTable table = new SweepTable(sink, now::get, (nanos, task) -> {
            delays.add(nanos);
            timer.add(task);
        });
        table.sweepStarted("rate", TRIALS);
        now.addAndGet(1_000_000_000L);
        table.trialFinished(TRIALS.get(0), HISTORIES.get(0));
        assertEquals(2, sink.shown.size(), "a finish after the interval is sent at once");
        now.addAndGet(10_000_000L);
        table.trialFinished(TRIALS.get(1), HISTORIES.get(1));
        table.trialFinished(TRIALS.get(2), HISTORIES.get(2));
        assertEquals(2, sink.shown.size(), "finishes within the interval wait");
        assertEquals(1, timer.size(), "for one trailing update");
        assertEquals(LiveProgress.MIN_INTERVAL_NANOS - 10_000_000L, delays.get(0));
        now.addAndGet(delays.get(0));
        timer.remove(0).run();
        assertEquals(3, sink.shown.size());
        assertTrue(sink.lastText().contains("3 of 4"), sink.lastText());
        table.sweepFinished(summary);
        assertEquals(4, sink.shown.size(), "the end is always sent");
        assertTrue(
                sink.lastText().contains("3 of 4 trials finished")
                        && sink.lastText().contains("in all"),
                sink.lastText());
    }

    @Test
    void trialsFinishingOnManyThreadsAtOnceAllReachTheTable() throws InterruptedException {
        LiveProgressTest.Recorder sink = new LiveProgressTest.Recorder();
        List<Runnable> timer = java.util.Collections.synchronizedList(new ArrayList<>());
        SweepTable table = new SweepTable(sink, System::nanoTime, (nanos, task) -> timer.add(task));
        // many copies of the four trials, so that finishes really overlap
        List<Sweep.Trial<?>> trials = new ArrayList<>();
        List<History> histories = new ArrayList<>();
        for (int k = 0; k < 50; k++) {
            for (int i = 0; i < 4; i++) {
                Sweep.Trial<?> t = TRIALS.get(i);
                trials.add(new Sweep.Trial<>(trials.size(), t.run() + " #" + k, t.value(), t.seed(), t.training()));
                histories.add(HISTORIES.get(i));
            }
        }
        table.sweepStarted("rate", trials);
        int threads = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int first = w;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = first; i < trials.size(); i += threads) {
                    table.trialFinished(trials.get(i), histories.get(i));
                }
            });
            t.start();
            workers.add(t);
        }
        go.countDown();
        for (Thread t : workers) {
            t.join();
        }
        List<Runnable> pending;
        synchronized (timer) {
            pending = new ArrayList<>(timer);
        }
        pending.forEach(Runnable::run);
        table.sweepFinished(summary);
        assertTrue(sink.shown.size() < 2 + trials.size(), "throttled: " + sink.shown.size() + " sends");
        String html = sink.lastHtml();
        assertEquals(trials.size(), rows(html));
        assertEquals(trials.size(), html.split("<td>done</td>", -1).length - 1, "every trial's row is filled in");
        assertTrue(sink.lastText().startsWith("sweep over rate: 200 of 200 trials finished"), sink.lastText());
    }

    @Test
    void outsideACellItPrintsTheLibrarysLines() {
        LiveProgressTest.Recorder sink = new LiveProgressTest.Recorder();
        sink.attached = false;
        SweepTable table = new SweepTable(sink, System::nanoTime, (nanos, task) -> task.run());
        PrintStream out = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true));
        try {
            table.sweepStarted("rate", TRIALS);
            table.trialFinished(TRIALS.get(0), HISTORIES.get(0));
        } finally {
            System.setOut(out);
        }
        assertEquals(0, sink.shown.size());
        String[] lines = bytes.toString().split("\n");
        assertEquals(2, lines.length, bytes.toString());
        assertTrue(lines[0].startsWith("sweep over rate: 4 trials"), lines[0]);
        assertTrue(lines[1].startsWith("[1/4] sgd 0.05"), lines[1]);
    }
}
