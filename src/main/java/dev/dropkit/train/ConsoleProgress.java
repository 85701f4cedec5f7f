package dev.dropkit.train;

import java.io.PrintStream;
import java.util.Locale;

/** Plain progress lines, one per finished epoch: for the command line, logs and kernels without a live display. */
final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;

    private ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    static TrainingListener create() {
        return new ConsoleProgress(System.out);
    }

    static TrainingListener create(PrintStream out) {
        return new ConsoleProgress(out);
    }

    @Override
    public void epochFinished(History history) {
        // One println per line: notebook kernels stream each write as its own message.
        out.println(line(history));
    }

    /**
     * e.g. {@code 784-128(dropout 0.5)-10  epoch  3  loss 0.2140  train 94.10%  val 93.85%  0.61 s}
     * (no {@code val} part without a validation set).
     */
    static String line(History h) {
        var t = h.table();
        int last = t.rowCount() - 1;
        var val = t.doubleColumn(History.VAL_ACCURACY);
        // With a validation set the line shows it, not the test accuracy: choices are made on validation data, and
        // the test accuracy is reported once, for the chosen configuration.
        String held = val.isMissing(last)
                ? String.format(
                        Locale.ROOT,
                        "test %.2f%%",
                        100 * t.doubleColumn(History.TEST_ACCURACY).get(last))
                : String.format(Locale.ROOT, "val %.2f%%", 100 * val.get(last));
        return String.format(
                Locale.ROOT,
                "%s  epoch %2d  loss %.4f  train %.2f%%  %s  %.2f s",
                h.run(),
                t.intColumn(History.EPOCH).get(last),
                t.doubleColumn(History.TRAIN_LOSS).get(last),
                100 * t.doubleColumn(History.TRAIN_ACCURACY).get(last),
                held,
                t.doubleColumn(History.SECONDS).get(last));
    }
}
