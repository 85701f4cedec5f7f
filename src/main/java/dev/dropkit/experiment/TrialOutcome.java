package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.io.Serializable;

/**
 * What an executor sends back for a {@link TrialTask}: the trial's history rows as CSV text, or the message of the
 * error that stopped it; {@code worker} names where it ran.
 */
public record TrialOutcome(int index, String historyCsv, String error, String worker) implements Serializable {
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
