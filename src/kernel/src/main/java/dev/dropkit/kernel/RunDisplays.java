package dev.dropkit.kernel;

import dev.dropkit.train.History;
import dev.dropkit.train.TrainingListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One live display per run label and cell: a run that trains again in the same cell (an interleaved sweep trains
 * each of its runs one epoch per round) goes on in the display it already has, so a sweep of eleven runs shows
 * eleven lines that fill in, not one new display per round. A new cell starts afresh.
 */
final class RunDisplays {
    private final Supplier<LiveProgress> factory;
    private final IntSupplier cell;
    private final Map<String, LiveProgress> byRun = new ConcurrentHashMap<>();
    private volatile int cellOfMap = -1;

    RunDisplays(Supplier<LiveProgress> factory, IntSupplier cell) {
        this.factory = factory;
        this.cell = cell;
    }

    /** A listener for one run; it picks its display when the run says its label. */
    TrainingListener forRun() {
        return new TrainingListener() {
            private TrainingListener display = TrainingListener.none();

            @Override
            public void runStarted(RunStart start) {
                display = displayFor(start.run());
                display.runStarted(start);
            }

            @Override
            public void batchFinished(BatchEnd batch) {
                display.batchFinished(batch);
            }

            @Override
            public void epochFinished(History history) {
                display.epochFinished(history);
            }

            @Override
            public void runFinished(History history) {
                display.runFinished(history);
            }
        };
    }

    private synchronized LiveProgress displayFor(String run) {
        int now = cell.getAsInt();
        if (now != cellOfMap) {
            byRun.clear();
            cellOfMap = now;
        }
        return byRun.computeIfAbsent(run, r -> factory.get());
    }
}
