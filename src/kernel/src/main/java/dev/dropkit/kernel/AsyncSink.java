package dev.dropkit.kernel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * Sends the live displays' updates from a thread of its own, so that the training thread only hands over a snapshot:
 * rendering (HTML, a redrawn chart) and sending a message (a few milliseconds each) happen off the training loop.
 * Updates to the same display that pile up are coalesced to the newest. The kernel calls {@link #flush} when a cell
 * ends, so the final state reaches the front end before the cell's reply.
 */
final class AsyncSink implements LiveProgress.Sink {
    private static final ExecutorService SENDER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "live-display");
        t.setDaemon(true);
        return t;
    });

    /** An update may cost at most this share of the time between updates (render and send, on any thread). */
    static final double MAX_SHARE = 0.002;

    private final DropkitKernel kernel;
    /** Mean nanoseconds one update took to render and send (exponentially weighted). */
    private volatile double sendNanos;

    private final Map<String, Pending> pending = new LinkedHashMap<>();

    /** The newest content for a display, and whether the display itself is still to be shown. */
    private record Pending(Supplier<DisplayData> data, boolean isNew) {}

    AsyncSink(DropkitKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public boolean attached() {
        return kernel.displayAttached();
    }

    @Override
    public void display(String id, DisplayData data) {
        enqueue(id, () -> data, true);
    }

    @Override
    public void update(String id, Supplier<DisplayData> data) {
        enqueue(id, data, false);
    }

    private void enqueue(String id, Supplier<DisplayData> data, boolean isNew) {
        boolean first;
        synchronized (pending) {
            first = pending.isEmpty();
            Pending before = pending.get(id);
            // an update of a display not sent yet is sent as that display, with the newest content
            pending.put(id, new Pending(data, isNew || before != null && before.isNew()));
        }
        if (first) {
            SENDER.execute(this::drain);
        }
    }

    private void drain() {
        while (true) {
            Map.Entry<String, Pending> next;
            synchronized (pending) {
                var it = pending.entrySet().iterator();
                if (!it.hasNext()) {
                    return;
                }
                next = it.next();
                it.remove();
            }
            try {
                if (kernel.displayAttached()) {
                    long start = System.nanoTime();
                    long cpu = LiveTraining.cpuNanos();
                    DisplayData data = next.getValue().data().get();
                    if (next.getValue().isNew()) {
                        data.setDisplayId(next.getKey());
                        kernel.display(data);
                    } else {
                        kernel.updateDisplay(next.getKey(), data);
                    }
                    LiveTraining.spent(4, LiveTraining.cpuNanos() - cpu);
                    double took = System.nanoTime() - start;
                    sendNanos = sendNanos == 0 ? took : 0.8 * sendNanos + 0.2 * took;
                }
            } catch (RuntimeException e) {
                System.err.println("dropkit kernel: a live display update failed: " + e);
            }
        }
    }

    /**
     * Updates come at most every 250 ms, and less often when one costs more: render and send take at most
     * {@link #MAX_SHARE} of the time, so the display stays far below 1% of training time even on a busy machine.
     */
    @Override
    public long minIntervalNanos() {
        return Math.max(LiveProgress.MIN_INTERVAL_NANOS, (long) (sendNanos / MAX_SHARE));
    }

    /** Returns once every display and update handed over so far has been sent (at most 10 s). */
    void flush() {
        Future<?> sent = SENDER.submit(this::drain);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean interrupted = false;
        while (true) {
            try {
                sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // an interrupted run still gets its final state out, then keeps the flag
            } catch (ExecutionException | TimeoutException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
