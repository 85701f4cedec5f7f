package org.rapaio.jupyter.kernel.core.java;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.SPIResolutionException;

/*
 * dropkit replacement for the class of the same name in rapaio-jupyter-kernel 3.0.1, derived from that class's
 * source (the io.github.padreati:rapaio-jupyter-kernel:3.0.1 sources jar on Maven Central) and changed as below (see install.sh and
 * ControlChannel.java).
 *
 * Why: in 3.0.1 stop() (JShell's "stop the running evaluation") shut the evaluation executor down, so after one
 * interrupt no later cell could run. Here stop() only cancels the running evaluations (interrupting their thread,
 * which well-behaved code such as dropkit's training loop checks), the executor lives until close(), and
 * interruptAll() lets the control channel cancel without going through the shared kernel state.
 * Everything else is as in 3.0.1.
 */
public class RapaioExecutionControl extends DirectExecutionControl {

    public static final String TIMEOUT_MARKER = "## Timeout Marker ##";
    public static final String INTERRUPTED_MARKER = "## Interrupted Marker ##";
    private static final AtomicInteger ID = new AtomicInteger(0);
    private static final Set<RapaioExecutionControl> LIVE = new CopyOnWriteArraySet<>();

    private final ExecutorService executor;
    private final long timeoutTime;
    private final ConcurrentMap<String, Future<Object>> running = new ConcurrentHashMap<>();
    private final Map<String, Object> results = new ConcurrentHashMap<>();

    public RapaioExecutionControl(long timeoutTime) {
        this.timeoutTime = timeoutTime;
        this.executor = Executors.newCachedThreadPool(r -> new Thread(r, "Engine-thread-" + ID.getAndIncrement()));
        LIVE.add(this);
    }

    /** Cancels the running evaluation of every live shell (the kernel has one). */
    public static void interruptAll() {
        LIVE.forEach(RapaioExecutionControl::interrupt);
    }

    public long getTimeout() {
        return timeoutTime;
    }

    public Object takeResult(String key) {
        Object result = results.remove(key);
        if (result == null) {
            throw new IllegalStateException("No result with key: " + key);
        }
        return result;
    }

    @Override
    protected String invoke(Method methodCall) throws Exception {
        String id = UUID.randomUUID().toString();
        Object value = execute(id, methodCall);
        results.put(id, value);
        return id;
    }

    private Object execute(String id, Method methodCall) throws Exception {
        Future<Object> runningTask = executor.submit(() -> methodCall.invoke(null));
        running.put(id, runningTask);

        try {
            if (timeoutTime > 0) {
                return runningTask.get(timeoutTime, TimeUnit.MILLISECONDS);
            }
            return runningTask.get();
        } catch (CancellationException e) {
            if (executor.isShutdown()) {
                throw new StoppedException();
            } else {
                throw new UserException("Execution interrupted.", INTERRUPTED_MARKER, e.getStackTrace());
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvocationTargetException) {
                cause = cause.getCause();
            }
            if (cause == null) {
                throw new UserException("null", "Unknown Invocation Exception", e.getStackTrace());
            } else if (cause instanceof SPIResolutionException spiResCause) {
                throw new ResolutionException(spiResCause.id(), cause.getStackTrace());
            } else {
                throw new UserException(cause.getMessage(), cause.getClass().getName(), cause.getStackTrace());
            }
        } catch (TimeoutException e) {
            throw new UserException("Execution timed out", TIMEOUT_MARKER, e.getStackTrace());
        } finally {
            running.remove(id, runningTask);
        }
    }

    public void interrupt() {
        running.forEach((id, future) -> future.cancel(true));
    }

    @Override
    public void stop() {
        interrupt();
    }

    @Override
    public void close() {
        LIVE.remove(this);
        interrupt();
        executor.shutdownNow();
        super.close();
    }
}
