package dev.dropkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Progress;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveProgressTest {
    /** Records what the display sends. */
    static final class Recorder implements LiveProgress.Sink {
        final List<String> ids = new ArrayList<>();
        final List<DisplayData> shown = new ArrayList<>();
        int displays;
        boolean attached = true;

        @Override
        public boolean attached() {
            return attached;
        }

        @Override
        public void display(String id, DisplayData data) {
            displays++;
            ids.add(id);
            shown.add(data);
        }

        @Override
        public void update(String id, java.util.function.Supplier<DisplayData> data) {
            ids.add(id);
            shown.add(data.get());
        }

        String lastText() {
            return (String) shown.get(shown.size() - 1).getData(MIMEType.TEXT_PLAIN);
        }

        String lastHtml() {
            return (String) shown.get(shown.size() - 1).getData(MIMEType.TEXT_HTML);
        }
    }

    @Test
    void updatesWithinAnEpochAreThrottledAndReadTheLossOnlyWhenShown() {
        Recorder sink = new Recorder();
        AtomicLong now = new AtomicLong();
        LiveProgress p = new LiveProgress(sink, now::get, false);
        p.runStarted(new TrainingListener.RunStart("r", 1, 2000));
        AtomicInteger lossReads = new AtomicInteger();
        for (int b = 1; b <= 2000; b++) {
            now.addAndGet(1_000_000L); // 1 ms per batch: 2 s in all
            p.batchFinished(new TrainingListener.BatchEnd("r", 1, b, 2000, b / 1000.0, () -> {
                lossReads.incrementAndGet();
                return 0.5;
            }));
        }
        int maxUpdates = (int) (2_000_000_000L / LiveProgress.MIN_INTERVAL_NANOS);
        assertEquals(1, sink.displays, "one display per run");
        assertTrue(sink.shown.size() - 1 <= maxUpdates, (sink.shown.size() - 1) + " updates in 2 s");
        assertTrue(sink.shown.size() - 1 >= maxUpdates - 1, "but it does move");
        assertEquals(sink.shown.size() - 1, lossReads.get(), "the loss is read only for an update");
        assertEquals(1, sink.ids.stream().distinct().count(), "always the same display id");
        assertTrue(
                sink.lastText().contains("batch 2000/2000") || sink.lastText().contains("batch 1"), sink.lastText());
        assertTrue(sink.lastText().contains("loss 0.5000"), sink.lastText());
    }

    @Test
    void outsideACellItPrintsPlainLines() {
        Recorder sink = new Recorder();
        sink.attached = false;
        LiveProgress p = new LiveProgress(sink, System::nanoTime, false);
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true));
        try {
            p.runStarted(new TrainingListener.RunStart("quiet", 1, 10));
        } finally {
            System.setOut(out);
        }
        assertEquals(0, sink.shown.size());
        assertTrue(bytes.toString().startsWith("quiet: starting 1 epoch"), bytes.toString());
    }

    @Test
    void aRealRunShowsOneDisplayThatEndsAsASummaryWithItsEpochRows(@TempDir Path tmp) throws IOException {
        Path dir = idx(tmp.resolve("data"), 512, 128);
        Recorder sink = new Recorder();
        Progress.install(() -> new SafeListener(new LiveProgress(sink, System::nanoTime, true)));
        try (ImageData data = ImageData.fromFolder(dir).build()) {
            History h = Training.of(Mlp.seedModel()).sgd(0.1).epochs(2).fit(data);
            assertEquals(2, h.epochs());
        } finally {
            Progress.reset();
        }
        assertEquals(1, sink.displays);
        assertEquals(1, sink.ids.stream().distinct().count());
        assertTrue(sink.lastText().contains("2 epochs"), sink.lastText());
        String html = sink.lastHtml();
        assertTrue(html.startsWith("<details><summary>"), html);
        assertEquals(3, html.split("<tr>", -1).length - 1, "header and two epoch rows");
        assertTrue(html.contains("data:image/png;base64,"), "the opt-in learning curve");
        assertFalse(sink.shown.stream().anyMatch(d -> d.getData(MIMEType.TEXT_PLAIN) == null));
    }

    @Test
    void aRunTrainedAgainInTheSameCellGoesOnInItsDisplay(@TempDir Path tmp) throws IOException {
        Path dir = idx(tmp.resolve("data"), 256, 64);
        Recorder sink = new Recorder();
        AtomicInteger cell = new AtomicInteger(1);
        RunDisplays displays = new RunDisplays(() -> new LiveProgress(sink, System::nanoTime, false), cell::get);
        Progress.install(displays::forRun);
        try (ImageData data = ImageData.fromFolder(dir).build();
                var run = Training.of(Mlp.seedModel())
                        .sgd(0.1)
                        .label("interleaved")
                        .start(data)) {
            run.train(1);
            run.train(1);
            assertEquals(1, sink.displays, "one display for both rounds");
            assertTrue(sink.lastText().contains("2 epochs"), sink.lastText());
            cell.incrementAndGet();
            run.train(1);
            assertEquals(2, sink.displays, "a new cell starts a new display");
        } finally {
            Progress.reset();
        }
    }

    /** A small MNIST-format folder: class k images are bright in row band k. */
    static Path idx(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(7);
        for (String split : new String[] {"train", "test"}) {
            int n = split.equals("train") ? train : test;
            ByteBuffer images = ByteBuffer.allocate(16 + n * 784)
                    .putInt(0x803)
                    .putInt(n)
                    .putInt(28)
                    .putInt(28);
            ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
            for (int i = 0; i < n; i++) {
                int label = random.nextInt(10);
                labels.put((byte) label);
                for (int p = 0; p < 784; p++) {
                    boolean on = p / 28 / 2 == label + 2 && random.nextDouble() < 0.9;
                    images.put((byte) (on ? 200 + random.nextInt(56) : random.nextInt(30)));
                }
            }
            Files.write(dir.resolve(split + "_data"), images.array());
            Files.write(dir.resolve(split + "_labels"), labels.array());
        }
        return dir;
    }
}
