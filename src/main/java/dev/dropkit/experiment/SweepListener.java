package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.util.List;

/**
 * Hears a {@link Sweep} as it goes: its trial list when it starts, each trial's {@link History} when that trial has
 * finished, and the {@link RunSummary} at the end. {@link SweepProgress} chooses the default listener (plain lines
 * outside a notebook kernel, or a display the kernel installs, such as a table that fills in as runs finish). The
 * sweep calls a listener one call at a time (trials finishing in several threads are handed over in turn), so a
 * listener needs no locking of its own; it must not throw.
 */
public interface SweepListener {
    /** The sweep {@code name} is about to run {@code trials}, in this order. */
    default void sweepStarted(String name, List<Sweep.Trial<?>> trials) {}

    /** {@code trial} finished (all its epochs, or its stopAt target); {@code history} holds every epoch. */
    default void trialFinished(Sweep.Trial<?> trial, History history) {}

    /** {@code trial} threw instead of finishing; {@code message} is its error on one line. The others go on. */
    default void trialFailed(Sweep.Trial<?> trial, String message) {}

    /** Every trial finished; {@code summary} summarises the stacked table. */
    default void sweepFinished(RunSummary summary) {}

    /** Listens to nothing. */
    static SweepListener none() {
        return new SweepListener() {};
    }
}
