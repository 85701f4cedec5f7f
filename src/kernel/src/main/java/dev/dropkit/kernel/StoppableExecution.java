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
 * Runs each snippet in the kernel's JVM on a thread of its own, keeps the raw value and the raw exception of the
 * last snippet (the kernel renders objects, not JShell's strings) and stops a snippet on interrupt: first by
 * interrupting its thread (the training loop checks between batches), then, after a grace period, by stopping the
 * thread (JDK 17's {@code Thread.stop}), which also ends a loop that never checks the interrupt flag.
 *
 * <p>Unlike JShell's own local execution it waits only for the snippet's thread, not for every thread the snippet
 * started (thread pools made in a cell would otherwise keep the cell running forever).
 */
final class StoppableExecution extends LocalExecutionControl {
    /** How long an interrupted snippet may take to end by itself before its thread is stopped. */
    static final long GRACE_MILLIS = 1500;

    private final ThreadGroup group = new ThreadGroup("dropkit-cells");
    private final AtomicReference<Thread> running = new AtomicReference<>();
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
        Thread thread = new Thread(group, () -> {
            try {
                result.set(doitMethod.invoke(null));
            } catch (InvocationTargetException e) {
                thrown.set(e.getCause());
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "cell-" + (++cellThreads));
        // Service lookups (DJL's engine discovery) must see jars added by %maven / %jars as well.
        thread.setContextClassLoader(snippetLoader);
        stopped = false;
        running.set(thread);
        try {
            thread.start();
            thread.join();
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

    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException,
            InternalException {
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
        stopped = true;
        thread.interrupt();
        Thread stopper = new Thread(() -> {
            try {
                thread.join(GRACE_MILLIS);
                if (thread.isAlive()) {
                    forceStop(thread);
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cell-stopper");
        stopper.setDaemon(true);
        stopper.start();
    }

    @SuppressWarnings({"deprecation", "removal"})
    private static void forceStop(Thread thread) {
        thread.stop();
    }
}
