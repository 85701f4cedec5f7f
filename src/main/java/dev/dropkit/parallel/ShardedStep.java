package dev.dropkit.parallel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dropkit.Env;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * How the training loop computes one batch's gradient: the batch is split into up to {@code workers} shards of
 * nearly equal size, each shard's forward and backward pass runs in its own thread (the caller's thread takes the
 * last shard, threads owned by this step the others), and each shard's objective is weighted by its share of
 * the batch, so the gradients the shards add into the parameters sum to the whole batch's mean-loss gradient. One
 * worker is the plain step: the whole batch in the caller's thread, no other thread.
 *
 * <p>The shards record and back-propagate their graphs with the engine's per-thread gradient mode
 * ({@link Env#gradMode}, {@link Env#backward}), not DJL's one-per-JVM gradient collector, so they really run at the
 * same time. Shard {@code i} runs on device {@code i % devices.size()}.
 *
 * <p>Not thread-safe itself: one training loop drives it.
 */
public final class ShardedStep implements AutoCloseable {
    /** One shard's result: the objective to differentiate (already weighted) and a value to report (no gradient). */
    public record ShardLoss(NDArray objective, NDArray report) {}

    /** The forward pass of one shard. */
    @FunctionalInterface
    public interface Shard {
        /**
         * Computes, in the calling thread with gradient recording on, the objective of rows {@code [from, to)} of
         * the batch on {@code device}, with every new array in {@code manager}; {@code share} is
         * {@code (to - from) / batch size}, the weight the objective must carry.
         */
        ShardLoss loss(NDManager manager, Device device, int from, int to, float share);
    }

    private final int workers;
    private final List<Device> devices;
    private final List<ShardThread> threads; // one per shard but the caller's

    private ShardedStep(int workers, List<Device> devices) {
        this.workers = workers;
        this.devices = List.copyOf(devices);
        List<ShardThread> t = new ArrayList<>();
        for (int i = 1; i < workers; i++) {
            t.add(new ShardThread("dropkit-shard-worker-" + i));
        }
        this.threads = List.copyOf(t);
    }

    /** A step over {@code workers} shards (at least 1) on {@code devices}; close it to stop its threads. */
    public static ShardedStep of(int workers, List<Device> devices) {
        if (workers < 1) {
            throw new IllegalArgumentException("worker count " + workers + " is below 1: use 1 for a plain step");
        }
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("device list is empty: use Devices.cpuOrGpus(1) for the CPU");
        }
        return new ShardedStep(workers, devices);
    }

    public int workers() {
        return workers;
    }

    /**
     * Runs forward and backward of every shard of a batch of {@code batchSize} examples (a batch smaller than the
     * worker count is split into fewer shards) and returns the sum of the shards' reports, in {@code batch}. The
     * parameters' gradients hold the batch's gradient afterwards (added to what they held).
     */
    public NDArray run(NDManager batch, int batchSize, Shard shard) {
        int shards = Math.min(workers, batchSize);
        if (shards == 1) {
            return runShard(batch, shard, 0, batchSize, batchSize, devices.get(0));
        }
        List<Future<NDArray>> others = new ArrayList<>();
        for (int s = 0; s < shards - 1; s++) {
            int from = bound(batchSize, s, shards);
            int to = bound(batchSize, s + 1, shards);
            Device device = devices.get(s % devices.size());
            others.add(threads.get(s).submit(() -> runShard(batch, shard, from, to, batchSize, device)));
        }
        NDArray mine;
        try {
            mine = runShard(
                    batch,
                    shard,
                    bound(batchSize, shards - 1, shards),
                    batchSize,
                    batchSize,
                    devices.get((shards - 1) % devices.size()));
        } catch (RuntimeException e) {
            awaitQuietly(others);
            throw e;
        }
        NDArray sum = null;
        try {
            for (Future<NDArray> f : others) { // in shard order, so that the sum does not depend on timing
                NDArray r = ShardThread.await(f);
                sum = sum == null ? r : sum.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            awaitQuietly(others);
            throw new CancellationException("training interrupted while the shard workers ran");
        } catch (ExecutionException e) {
            awaitQuietly(others);
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        return sum.add(mine);
    }

    /** The first row of shard {@code s} of {@code shards} in a batch of {@code n}. */
    static int bound(int n, int s, int shards) {
        return (int) ((long) n * s / shards);
    }

    private static NDArray runShard(NDManager batch, Shard shard, int from, int to, int batchSize, Device device) {
        boolean previous = Env.gradMode(true);
        try (NDManager manager = batch.newSubManager(device)) {
            ShardLoss loss = shard.loss(manager, device, from, to, (float) (to - from) / batchSize);
            Env.backward(loss.objective());
            NDArray report = loss.report();
            report.attach(batch);
            return report;
        } finally {
            Env.gradMode(previous);
        }
    }

    /** Waits for shards still running (they write into the shared gradients) before the caller goes on. */
    private static void awaitQuietly(List<Future<NDArray>> futures) {
        for (Future<NDArray> f : futures) {
            try {
                f.get();
            } catch (Exception e) {
                // the first failure is reported; later ones add nothing
            }
        }
    }

    @Override
    public void close() {
        threads.forEach(ShardThread::close);
    }

    /**
     * A thread that runs one shard at a time. Handing a shard over and its result back costs a thread wake-up each
     * way when the waiting side has parked (tens to hundreds of microseconds here, per step); both sides therefore
     * spin briefly first ({@link #SPIN_NANOS}: longer than the loop's own work between two steps), and park only when
     * nothing comes.
     */
    private static final class ShardThread {
        static final long SPIN_NANOS = 500_000;
        private final Thread thread;
        private volatile Runnable task;
        private volatile boolean closed;

        ShardThread(String name) {
            thread = new Thread(this::loop, name);
            thread.setDaemon(true);
            thread.start();
        }

        CompletableFuture<NDArray> submit(Callable<NDArray> work) {
            CompletableFuture<NDArray> result = new CompletableFuture<>();
            task = () -> {
                try {
                    result.complete(work.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            };
            LockSupport.unpark(thread);
            return result;
        }

        /** The shard's result: spins briefly, then blocks. */
        static NDArray await(Future<NDArray> f) throws InterruptedException, ExecutionException {
            long end = System.nanoTime() + SPIN_NANOS;
            while (!f.isDone() && System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return f.get();
        }

        private void loop() {
            long idleSince = System.nanoTime();
            while (!closed) {
                Runnable t = task;
                if (t != null) {
                    task = null;
                    t.run();
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void close() {
            closed = true;
            thread.interrupt(); // a shard still running sees it (the loop checks per batch), as with an executor
            LockSupport.unpark(thread);
        }
    }
}
