package dev.dropkit.train;

import java.io.Serializable;

/**
 * A training run's whole state between two epochs, as plain data that can travel to another JVM (a Spark task
 * trains a candidate for one rung of a search and sends this back): the history so far, the optimizer steps taken,
 * every parameter's values (batch norm's running statistics and learned dropout rates included) and the momentum
 * buffers, each flattened in the model's parameter order. Dropout rates need no place of their own: fixed rates are
 * the model's, scheduled ones follow from the steps, learned ones are parameters. {@link Training#resume} continues from it; because every
 * epoch's shuffle and dropout masks derive from the run's seed and the epoch number, the resumed run trains exactly
 * as the uninterrupted one would have.
 *
 * @param historyCsv the history's table as CSV text
 * @param steps optimizer steps taken (the position of learning-rate and dropout schedules)
 * @param parameters every parameter's values, in the model's parameter order
 * @param velocities the momentum buffer of every trained parameter (empty arrays without momentum)
 */
public record Checkpoint(String historyCsv, long steps, float[][] parameters, float[][] velocities)
        implements Serializable {
    /** Epochs trained before the checkpoint. */
    public int epochs() {
        return History.readCsv("checkpoint", historyCsv).epochs();
    }
}
