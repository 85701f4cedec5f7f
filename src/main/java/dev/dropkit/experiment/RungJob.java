package dev.dropkit.experiment;

import dev.dropkit.train.History;
import dev.dropkit.train.TrainingRun;
import java.io.Serializable;

/**
 * One job of a search ({@link SuccessiveHalving}, {@link Asha}): candidate {@code candidate} trains on from where it
 * stopped until its history holds {@code untilEpochs} epochs, or, when {@code seconds} is a number, for as many
 * whole epochs as fit in that many training seconds (at least one); never beyond {@code maxEpochs} in all. Plain
 * data: it travels to cluster executors inside a {@link TrialTask}.
 *
 * @param rung the rung the job trains for (0-based)
 */
public record RungJob(int candidate, int rung, int untilEpochs, double seconds, int maxEpochs) implements Serializable {
    /** A job that trains until the history holds {@code epochs} epochs. */
    static RungJob epochs(int candidate, int rung, int epochs, int maxEpochs) {
        return new RungJob(candidate, rung, epochs, Double.NaN, maxEpochs);
    }

    /** A job that trains whole epochs for about {@code seconds} training seconds (at least one epoch). */
    static RungJob seconds(int candidate, int rung, double seconds, int maxEpochs) {
        return new RungJob(candidate, rung, maxEpochs, seconds, maxEpochs);
    }

    /** Trains {@code run} as this job says; returns the training seconds it took. */
    public double train(TrainingRun run) {
        History h = run.history();
        double before = h.epochs() == 0 ? 0 : h.totalSeconds();
        if (Double.isNaN(seconds)) {
            int more = Math.min(untilEpochs, maxEpochs) - h.epochs();
            if (more > 0) {
                run.train(more);
            }
            return h.epochs() == 0 ? 0 : h.totalSeconds() - before;
        }
        double spent = 0;
        double last = 0;
        while (h.epochs() < maxEpochs) {
            int epochs = h.epochs();
            run.train(1);
            if (h.epochs() == epochs) {
                break; // the run reached its stopAt target: nothing more to train
            }
            last = h.table().doubleColumn(History.SECONDS).get(h.epochs() - 1);
            spent += last;
            if (spent + last > seconds) {
                break; // the next epoch would likely overrun the share
            }
        }
        return spent;
    }
}
