package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetAddress;

/**
 * One trial as data, ready to travel to an executor: its place in the sweep, its settings and seed
 * ({@link TrialSpec}) and its data ({@link DataSpec}). {@link #execute()} is what the executor runs.
 */
public record TrialTask(int index, TrialSpec trial, DataSpec data) implements Serializable {
    /**
     * Trains the trial on this JVM's shared copy of the data and returns its history rows; a trial that throws comes
     * back as a failed outcome with its message (the sweep records it and finishes the others).
     */
    public TrialOutcome execute() {
        try {
            History h = trial.training().fit(data.shared());
            StringWriter csv = new StringWriter();
            h.table().write().csv(csv);
            return new TrialOutcome(index, csv.toString(), null, worker());
        } catch (RuntimeException | Error e) {
            String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new TrialOutcome(index, null, message.strip().replaceAll("\\s*\\R\\s*", " "), worker());
        }
    }

    private static String worker() {
        try {
            return InetAddress.getLocalHost().getHostName() + "/"
                    + Thread.currentThread().getName();
        } catch (java.io.IOException e) {
            return Thread.currentThread().getName();
        }
    }
}
