package dev.dropkit.experiment;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Runs independent jobs (trials, or a rung's share of each candidate) on up to {@code slots} threads of this JVM and
 * reports each as it ends, on the calling thread. One slot runs them in order on the calling thread itself.
 */
final class Pool {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private Pool() {}

    /**
     * Runs {@code work} on every job; {@code finished} or {@code failed} (with a one-line message) hears each as it
     * ends, on the calling thread. A job that throws {@link CancellationException} (it saw its thread interrupted),
     * or an interrupt of the calling thread, stops every job and throws {@link CancellationException}.
     *
     * @return the results of the jobs that finished, by {@code key}
     */
    static <J, R> Map<Integer, R> run(
            List<J> jobs,
            int slots,
            Function<J, R> work,
            BiConsumer<J, R> finished,
            BiConsumer<J, String> failed,
            ToIntFunction<J> key) {
        Map<Integer, R> results = new HashMap<>();
        Iterator<J> each = jobs.iterator();
        run(
                () -> each.hasNext() ? each.next() : null,
                jobs.size() == 1 ? 1 : Math.min(slots, jobs.size()),
                work,
                (job, r) -> {
                    results.put(key.applyAsInt(job), r);
                    finished.accept(job, r);
                },
                failed);
        return results;
    }

    /**
     * Runs {@code work} on the jobs {@code next} hands out, up to {@code slots} at a time; {@code next} is asked
     * whenever a slot is free (after {@code finished} or {@code failed} heard of the job that freed it, on the calling
     * thread), and returns null when it has nothing to start now. Returns when no job runs and {@code next} has none:
     * a search that hands out work as results come in (asynchronous successive halving) and a fixed list alike.
     * Cancellation as for the list form.
     */
    static <J, R> void run(
            Supplier<J> next, int slots, Function<J, R> work, BiConsumer<J, R> finished, BiConsumer<J, String> failed) {
        if (slots == 1) {
            for (J job = next.get(); job != null; job = next.get()) {
                R r;
                try {
                    r = work.apply(job);
                } catch (CancellationException e) {
                    throw e;
                } catch (RuntimeException e) {
                    failed.accept(job, message(e));
                    continue;
                }
                finished.accept(job, r);
            }
            return;
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(slots, task -> {
            Thread t = new Thread(task, "dropkit-trials-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int ended = 0;
        try {
            ExecutorCompletionService<R> done = new ExecutorCompletionService<>(executor);
            Map<Future<R>, J> running = new HashMap<>();
            while (true) {
                while (running.size() < slots) {
                    J job = next.get();
                    if (job == null) {
                        break;
                    }
                    running.put(done.submit(() -> work.apply(job)), job);
                }
                if (running.isEmpty()) {
                    return;
                }
                Future<R> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException(
                            "interrupted: " + ended + " jobs finished, " + running.size() + " were running");
                }
                J job = running.remove(f);
                ended++;
                try {
                    finished.accept(job, f.get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof CancellationException c) {
                        throw c;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    failed.accept(job, message(cause));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted");
                }
            }
        } finally {
            executor.shutdownNow(); // interrupts running jobs: the training loop checks its thread's flag per batch
            try {
                executor.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code Type: message} on one line. */
    static String message(Throwable e) {
        String m = e.getMessage();
        return (e.getClass().getSimpleName() + (m == null ? "" : ": " + m))
                .strip()
                .replaceAll("\\s*\\R\\s*", " ");
    }
}
