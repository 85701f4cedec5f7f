package dev.dropkit.experiment;

import dev.dropkit.train.Checkpoint;
import dev.dropkit.train.History;
import java.io.Serializable;

/**
 * What an executor sends back for a {@link TrialTask}: the trial's history rows as CSV text, or the message of the
 * error that stopped it; {@code worker} names where it ran. For a search's {@link RungJob}: the training seconds it
 * took and a checkpoint to continue from.
 *
 * @param checkpoint null unless the task was a rung job
 */
public record TrialOutcome(
        int index, String historyCsv, String error, String worker, double seconds, Checkpoint checkpoint)
        implements Serializable {
    /** The outcome of a task that threw. */
    public static TrialOutcome failed(int index, String error, String worker) {
        return new TrialOutcome(index, null, error, worker, Double.NaN, null);
    }

    public boolean failed() {
        return error != null;
    }

    /** The history the rows describe (of the run labelled {@code run}). */
    public History history(String run) {
        if (failed()) {
            throw new IllegalStateException("trial " + index + " failed: " + error);
        }
        return History.readCsv(run, historyCsv);
    }
}
