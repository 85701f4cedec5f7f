package dev.dropkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --save-model} then {@code evaluate --model}, on generated IDX files and a generated CSV file. */
/** On real MNIST (installed by ./run setup): train --save-model, then evaluate, gives the same test accuracy. */
class EvaluateIT {
    @TempDir
    Path tmp;

    @Test
    void onMnistTheSavedModelReproducesTheTestAccuracyExactly() throws IOException {
        Path model = tmp.resolve("mnist-model");
        MainTest.Result train = MainTest.run(
                "train",
                "--dataset",
                "mnist",
                "--train-subset",
                "2000",
                "--test-subset",
                "1000",
                "--epochs",
                "2",
                "--lr",
                "0.1",
                "--batch-size",
                "64",
                "--threads",
                "1",
                "--out",
                tmp.resolve("run").toString(),
                "--save-model",
                model.toString());
        assertEquals(0, train.status(), train.err());
        MainTest.Result eval = MainTest.run(
                "evaluate",
                "--model",
                model.toString(),
                "--dataset",
                "mnist",
                "--test-subset",
                "1000",
                "--out",
                tmp.resolve("eval").toString());
        assertEquals(0, eval.status(), eval.err());
        double trained = EvaluateTest.finalTestAccuracy(tmp.resolve("run/history.csv"));
        assertTrue(trained > 0.5 && trained < 1, "learnt, and still errs: " + trained);
        assertEquals(trained, EvaluateTest.accuracy(tmp.resolve("eval/confusion_matrix.csv")), 0.0);
        assertTrue(
                eval.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.2f%%", 100 * trained)),
                eval.out());
    }
}
