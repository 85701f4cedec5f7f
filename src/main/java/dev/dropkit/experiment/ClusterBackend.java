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
    void run(List<TrialTask> tasks, Consumer<TrialOutcome> finished);

    /** Task slots the application has now (e.g. 2 for {@code local[2]}). */
    int slots();

    /** Stops the application. */
    @Override
    void close();
}
