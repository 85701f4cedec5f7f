package dev.dropkit.experiment;

import java.util.HashMap;
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
        if (slots == 1 || jobs.size() == 1) {
            for (J job : jobs) {
                R r;
                try {
                    r = work.apply(job);
                } catch (CancellationException e) {
                    throw e;
                } catch (RuntimeException e) {
                    failed.accept(job, message(e));
                    continue;
                }
                results.put(key.applyAsInt(job), r);
                finished.accept(job, r);
            }
            return results;
        }
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(Math.min(slots, jobs.size()), task -> {
            Thread t = new Thread(task, "dropkit-trials-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<R> done = new ExecutorCompletionService<>(executor);
            Map<Future<R>, J> byFuture = new HashMap<>();
            for (J job : jobs) {
                byFuture.put(done.submit(() -> work.apply(job)), job);
            }
            for (int i = 0; i < jobs.size(); i++) {
                Future<R> f;
                try {
                    f = done.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException(
                            "interrupted: " + results.size() + " of " + jobs.size() + " finished");
                }
                J job = byFuture.get(f);
                try {
                    R r = f.get();
                    results.put(key.applyAsInt(job), r);
                    finished.accept(job, r);
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
            return results;
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
