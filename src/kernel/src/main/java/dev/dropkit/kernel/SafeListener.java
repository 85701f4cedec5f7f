package dev.dropkit.kernel;

import dev.dropkit.train.History;
import dev.dropkit.train.TrainingListener;

/**
 * A listener that never throws into the training loop: the first failure of the display is reported once on
 * stderr and the display goes quiet for the rest of the run (training goes on). Adds the CPU time spent in the
 * display to {@link LiveTraining#displayCpuSeconds()}.
 */
final class SafeListener implements TrainingListener {
    private final TrainingListener delegate;
    private volatile boolean failed;

    SafeListener(TrainingListener delegate) {
        this.delegate = delegate;
    }

    private void guard(int kind, Runnable call) {
        if (failed) {
            return;
        }
        long start = LiveTraining.cpuNanos();
        try {
            call.run();
            LiveTraining.spent(kind, LiveTraining.cpuNanos() - start);
        } catch (RuntimeException e) {
            failed = true;
            System.err.println("dropkit kernel: the live training display failed and is off for this run: " + e);
        }
    }

    @Override
    public void runStarted(RunStart start) {
        guard(0, () -> delegate.runStarted(start));
    }

    @Override
    public void batchFinished(BatchEnd batch) {
        if (!failed) {
            guard(1, () -> delegate.batchFinished(batch));
        }
    }

    @Override
    public void epochFinished(History history) {
        guard(2, () -> delegate.epochFinished(history));
    }

    @Override
    public void runFinished(History history) {
        guard(3, () -> delegate.runFinished(history));
    }
}
