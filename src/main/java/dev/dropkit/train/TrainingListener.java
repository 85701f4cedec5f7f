package dev.dropkit.train;

import java.util.function.DoubleSupplier;

/**
 * Hears one training run as it goes: when it starts, after each minibatch and after each epoch. The training loop
 * calls every listener on its own thread; a listener must be cheap (the loop calls {@link #batchFinished} on every
 * step, so displays throttle themselves) and must not throw.
 *
 * <p>The console lines of the command line, the notebook kernel's live display and the benchmark's timer are all
 * listeners; {@link Progress} chooses the default one for a run.
 */
public interface TrainingListener {
    /** A run is about to train {@code epochs} more epochs of {@code batchesPerEpoch} minibatches each. */
    record RunStart(String run, int epochs, int batchesPerEpoch) {}

    /**
     * Minibatch {@code batch} (1-based) of {@code batches} in {@code epoch} is done, {@code epochSeconds} into the
     * epoch. {@code meanLoss} reads the epoch's mean training loss so far from the engine: call it only when it is
     * shown (it waits for the engine), and only during the call.
     */
    record BatchEnd(String run, int epoch, int batch, int batches, double epochSeconds, DoubleSupplier meanLoss) {}

    default void runStarted(RunStart start) {}

    default void batchFinished(BatchEnd batch) {}

    /** An epoch ended and its row was appended to {@code history} (the last row). */
    default void epochFinished(History history) {}

    /** The run stopped (epochs done, target reached, interrupted or failed); {@code history} holds what it did. */
    default void runFinished(History history) {}

    /** Listens to nothing. */
    static TrainingListener none() {
        return new TrainingListener() {};
    }
}
