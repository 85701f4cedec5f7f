package dev.dropkit.experiment;

import dev.dropkit.train.Checkpoint;
import dev.dropkit.train.History;
import dev.dropkit.train.TrainingRun;
import java.io.Serializable;
import java.io.StringWriter;
import java.net.InetAddress;

/**
 * One trial as data, ready to travel to an executor: its place in the sweep, its settings and seed
 * ({@link TrialSpec}), its data ({@link DataSpec}) and, for a search, the {@link RungJob} to train and the
 * {@link Checkpoint} to continue from (null: a fresh start). {@link #execute()} is what the executor runs.
 *
 * @param job null: train the whole trial (a sweep); else this rung's share only, and send back a checkpoint
 */
public record TrialTask(int index, TrialSpec trial, DataSpec data, RungJob job, Checkpoint from)
        implements Serializable {
    /** A whole trial of a sweep. */
    public TrialTask(int index, TrialSpec trial, DataSpec data) {
        this(index, trial, data, null, null);
    }

    /**
     * Trains the trial (or the job's share of it) on this JVM's shared copy of the data and returns its history rows
     * (and, for a job, the training seconds and a checkpoint); a trial that throws comes back as a failed outcome with
     * its message (the sweep records it and finishes the others).
     */
    public TrialOutcome execute() {
        try (TrainingRun run = from == null
                ? trial.training().start(data.shared())
                : trial.training().resume(data.shared(), from)) {
            double seconds;
            if (job == null) {
                run.train(trial.epochs());
                seconds = run.history().epochs() == 0 ? 0 : run.history().totalSeconds();
            } else {
                seconds = job.train(run);
            }
            History h = run.history();
            StringWriter csv = new StringWriter();
            h.table().write().csv(csv);
            return new TrialOutcome(
                    index, csv.toString(), null, worker(), seconds, job == null ? null : run.checkpoint());
        } catch (RuntimeException | Error e) {
            String message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return TrialOutcome.failed(index, message.strip().replaceAll("\\s*\\R\\s*", " "), worker());
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
