package dev.dropkit.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cell's stdout or stderr: collects what the cell writes and sends it to the front end at most every
 * {@link #INTERVAL_MILLIS} (or when {@link #CHUNK} bytes are waiting). One stream message per {@code println}
 * would overrun the IOPub socket's queue, which then drops messages; output beyond {@link #LIMIT} bytes per cell
 * is dropped with a note saying so.
 */
final class CellOutput extends OutputStream {
    static final long INTERVAL_MILLIS = 100;
    static final int CHUNK = 256 * 1024;
    static final long LIMIT = 16L * 1024 * 1024;

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cell-output");
        t.setDaemon(true);
        return t;
    });

    private final OutputStream target;
    private final String name;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ScheduledFuture<?> ticks;
    private long written;
    private long dropped;

    private CellOutput(OutputStream target, String name) {
        this.target = target;
        this.name = name;
        this.ticks = TIMER.scheduleWithFixedDelay(this::flush, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A print stream for a cell that writes through to {@code target}; {@link #close} it when the cell ends. */
    static PrintStream around(OutputStream target, String name) {
        return new PrintStream(new CellOutput(target, name), false, StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        long room = LIMIT - written;
        int take = (int) Math.max(0, Math.min(len, room));
        pending.write(b, off, take);
        written += take;
        dropped += len - take;
        if (pending.size() >= CHUNK) {
            flush();
        }
    }

    @Override
    public synchronized void flush() {
        if (pending.size() == 0) {
            return;
        }
        try {
            pending.writeTo(target);
            target.flush();
        } catch (java.io.IOException e) {
            // the front end is gone: nothing to report to
        }
        pending.reset();
    }

    @Override
    public synchronized void close() {
        ticks.cancel(false);
        if (dropped > 0) {
            byte[] note = ("\n[dropkit kernel: " + dropped + " more bytes of " + name + " not shown; this cell wrote "
                            + (written + dropped) + " bytes, the limit is " + LIMIT
                            + " per cell: write to a file instead]\n")
                    .getBytes(StandardCharsets.UTF_8);
            pending.write(note, 0, note.length);
        }
        flush();
    }
}
