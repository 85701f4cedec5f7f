package dev.dropkit.experiment;

import java.util.List;
import java.util.function.Consumer;

/**
 * Trains {@link TrialTask}s somewhere else (Spark executors) and hands back their {@link TrialOutcome}s. Tasks and
 * outcomes are plain serialisable data; an executor turns a task into a training with {@link TrialTask#execute()}.
 * Implementations live outside the library (see {@link ClusterProvider}).
 */
public interface ClusterBackend extends AutoCloseable {
    /**
     * Trains every task, at most as many at a time as the cluster has task slots, and calls {@code finished} once per
     * task as it finishes, one call at a time; returns when all are done. A task that throws comes back as an outcome
     * with its error message. Interrupting the calling thread cancels the tasks still running and throws
     * {@link java.util.concurrent.CancellationException}.
     */
    default void run(List<TrialTask> tasks, Consumer<TrialOutcome> finished) {
        java.util.Iterator<TrialTask> each = tasks.iterator();
        run(() -> each.hasNext() ? each.next() : null, Integer.MAX_VALUE, finished);
    }

    /**
     * Trains the tasks {@code next} hands out, at most {@code inFlight} at a time (the cluster queues what exceeds its
     * slots); {@code next} is asked again after each {@code finished} call and returns null when it has nothing to
     * start now; returns when nothing runs and {@code next} has nothing. This is how a search hands out rung jobs as
     * results come in. Interrupts and failed tasks as for the list form.
     */
    void run(java.util.function.Supplier<TrialTask> next, int inFlight, Consumer<TrialOutcome> finished);

    /** Task slots the application has now (e.g. 2 for {@code local[2]}). */
    int slots();

    /** Stops the application. */
    @Override
    void close();
}
