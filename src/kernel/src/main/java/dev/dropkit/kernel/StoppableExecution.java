package dev.dropkit.kernel;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs the snippets in the kernel's JVM on a thread of their own, keeps the raw value and the raw exception of the
 * last snippet (the kernel renders objects, not JShell's strings) and stops a snippet on interrupt: first by
 * interrupting its thread (the training loop checks between batches), then, after a grace period, by stopping the
 * thread (JDK 17's {@code Thread.stop}), which also ends a loop that never checks the interrupt flag.
 *
 * <p>Unlike JShell's own local execution it waits only for the snippet's thread, not for every thread the snippet
 * started (thread pools made in a cell would otherwise keep the cell running forever), and all cells run on one
 * thread (see {@link #worker()}).
 */
final class StoppableExecution extends LocalExecutionControl {
    /** How long an interrupted snippet may take to end by itself before its thread is stopped. */
    static final long GRACE_MILLIS = 1500;

    private final ThreadGroup group = new ThreadGroup("dropkit-cells");
    private final AtomicReference<Thread> running = new AtomicReference<>();
    private volatile Worker worker;
    private final java.util.concurrent.atomic.AtomicLong taskSeq = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean stopped;
    private volatile Object lastValue;
    private volatile Throwable lastThrown;
    private volatile boolean lastStopped;
    private int cellThreads;

    /** The provider JShell asks for the execution engine. */
    static final class Provider implements ExecutionControlProvider {
        private final StoppableExecution control = new StoppableExecution();

        StoppableExecution control() {
            return control;
        }

        @Override
        public String name() {
            return "dropkit";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return control;
        }
    }

    /** Forgets the last snippet's value and exception (called before each snippet). */
    void clearLast() {
        lastValue = null;
        lastThrown = null;
        lastStopped = false;
    }

    /** True when the last snippet's thread was stopped by {@link #stop} (JShell then reports no exception). */
    boolean lastStopped() {
        return lastStopped;
    }

    /** The object the last snippet evaluated to (null for statements, declarations and void calls). */
    Object lastValue() {
        return lastValue;
    }

    /** What the last snippet threw, as thrown (JShell reports only its class name and a translated trace). */
    Throwable lastThrown() {
        return lastThrown;
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        ClassLoader snippetLoader = doitMethod.getDeclaringClass().getClassLoader();
        Worker worker = worker();
        stopped = false;
        taskSeq.incrementAndGet();
        running.set(worker);
        try {
            worker.run(() -> {
                // Service lookups (DJL's engine discovery) must see jars added by %maven / %jars as well.
                Thread.currentThread().setContextClassLoader(snippetLoader);
                try {
                    result.set(doitMethod.invoke(null));
                } catch (InvocationTargetException e) {
                    thrown.set(e.getCause());
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
        } finally {
            running.set(null);
        }
        if (stopped && thrown.get() instanceof ThreadDeath) {
            lastStopped = true;
            throw new StoppedException();
        }
        Throwable t = thrown.get();
        if (t != null) {
            lastThrown = t;
            return throwConvertedInvocationException(t);
        }
        lastValue = result.get();
        return valueString(result.get());
    }

    /**
     * The thread cells run on: one for the whole session, so that thread-local state (the engine's grad mode, a
     * library's per-thread caches) carries from cell to cell as in a REPL. A new one replaces it only after a stop.
     */
    private Worker worker() {
        Worker w = worker;
        if (w == null || !w.isAlive()) {
            w = new Worker(group, "cell-runner-" + (++cellThreads));
            w.start();
            worker = w;
        }
        return w;
    }

    /** Runs one task at a time, handed over by {@link #run}, which waits for the task to end. */
    private static final class Worker extends Thread {
        private final java.util.concurrent.SynchronousQueue<Runnable> tasks =
                new java.util.concurrent.SynchronousQueue<>();
        private final java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);

        Worker(ThreadGroup group, String name) {
            super(group, name);
            setDaemon(true);
        }

        void run(Runnable task) throws InterruptedException {
            tasks.put(task);
            while (!done.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                if (!isAlive()) {
                    return; // stopped between tasks: nothing more will come
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Runnable task;
                try {
                    task = tasks.take();
                } catch (InterruptedException e) {
                    continue; // a late interrupt aimed at the previous cell
                }
                try {
                    Thread.interrupted(); // a fresh cell starts without a pending interrupt
                    task.run();
                } finally {
                    done.release();
                }
            }
        }
    }

    @Override
    public String varValue(String className, String varName)
            throws RunException, EngineTerminationException, InternalException {
        String text = super.varValue(className, varName);
        try {
            Field field = findClass(className).getField(varName);
            lastValue = field.get(null);
        } catch (ReflectiveOperationException e) {
            lastValue = null;
        }
        return text;
    }

    /**
     * Interrupts the running snippet; if it has not ended after {@link #GRACE_MILLIS}, stops its thread. Returns
     * at once; the stop happens on a helper thread.
     */
    @Override
    public void stop() {
        Thread thread = running.get();
        if (thread == null) {
            return;
        }
        long task = taskSeq.get();
        stopped = true;
        thread.interrupt();
        Thread stopper = new Thread(
                () -> {
                    try {
                        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
                        while (System.nanoTime() < deadline && sameTask(thread, task)) {
                            Thread.sleep(20);
                        }
                        // Stop only the cell that was interrupted, never the one after it on the same thread.
                        if (sameTask(thread, task)) {
                            forceStop(thread);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "cell-stopper");
        stopper.setDaemon(true);
        stopper.start();
    }

    private boolean sameTask(Thread thread, long task) {
        return running.get() == thread && taskSeq.get() == task;
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void forceStop(Thread thread) {
        thread.stop();
    }
}
