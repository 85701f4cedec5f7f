package dev.dropkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/** {@code train --save-model} then {@code evaluate --model}, on generated IDX files and a generated CSV file. */
class EvaluateTest {
    @TempDir
    static Path shared;

    static Path idx;
    static Path csv;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeData() throws IOException {
        idx = Files.createDirectories(shared.resolve("idx"));
        Random random = new Random(3);
        MainTest.write(idx, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 600, random);
        MainTest.write(idx, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 200, random);
        // 6 features, 4 named classes: class k is shifted along feature k.
        csv = shared.resolve("own.csv");
        StringBuilder b = new StringBuilder("f0,f1,f2,f3,f4,f5,kind\n");
        String[] kinds = {"alpha", "beta", "gamma", "delta"};
        for (int i = 0; i < 400; i++) {
            int k = i % 4;
            for (int j = 0; j < 6; j++) {
                b.append(String.format(
                        java.util.Locale.ROOT, "%.3f,", 50 + 10 * random.nextGaussian() + (j == k ? 40 : 0)));
            }
            b.append(kinds[k]).append('\n');
        }
        Files.writeString(csv, b);
    }

    /** Accuracy from a confusion_matrix.csv: the diagonal over the total. */
    static double accuracy(Path confusion) {
        Table t = Table.read().csv(confusion.toString());
        double correct = 0;
        double total = 0;
        for (int r = 0; r < t.rowCount(); r++) {
            for (int c = 1; c < t.columnCount(); c++) {
                double v = ((NumericColumn<?>) t.column(c)).getDouble(r);
                total += v;
                correct += c - 1 == r ? v : 0;
            }
        }
        return correct / total;
    }

    static double finalTestAccuracy(Path history) {
        Table h = Table.read().csv(history.toString());
        return ((NumericColumn<?>) h.column("test_accuracy")).getDouble(h.rowCount() - 1);
    }

    @Test
    void savedModelReproducesTheTestAccuracyExactly() throws IOException {
        Path model = tmp.resolve("model");
        MainTest.Result train = MainTest.run(
                "train",
                "--data-dir",
                idx.toString(),
                "--epochs",
                "1",
                "--batch-size",
                "64",
                "--lr",
                "0.005",
                "--threads",
                "1",
                "--out",
                tmp.resolve("run").toString(),
                "--save-model",
                model.toString());
        assertEquals(0, train.status(), train.err());
        assertTrue(train.out().contains("model saved in"), train.out());
        MainTest.Result eval = MainTest.run(
                "evaluate",
                "--model",
                model.toString(),
                "--data-dir",
                idx.toString(),
                "--out",
                tmp.resolve("eval").toString());
        assertEquals(0, eval.status(), eval.err());
        assertTrue(eval.out().contains("accuracy") && eval.out().contains("200 examples"), eval.out());
        double trained = finalTestAccuracy(tmp.resolve("run/history.csv"));
        assertTrue(
                trained > 0 && trained < 1, "a model that still errs, so that the check means something: " + trained);
        assertEquals(trained, accuracy(tmp.resolve("eval/confusion_matrix.csv")), 0.0);
        assertTrue(Files.size(tmp.resolve("eval/confusion_matrix.png")) > 1000);
        assertTrue(Files.exists(tmp.resolve("eval/per_class.csv")));
    }

    /** Real MNIST (installed by ./run setup): a 2,000-image run, evaluated on the same 1,000 test images. */
    @Test
    void csvOfOtherWidthAndClassCountTrainsSavesAndEvaluates() throws IOException {
        Path model = tmp.resolve("m");
        MainTest.Result train = MainTest.run(
                "train",
                "--csv",
                csv.toString(),
                "--label-column",
                "kind",
                "--hidden",
                "16",
                "--epochs",
                "10",
                "--batch-size",
                "16",
                "--lr",
                "0.1",
                "--threads",
                "1",
                "--out",
                tmp.resolve("run").toString(),
                "--save-model",
                model.toString());
        assertEquals(0, train.status(), train.err());
        assertTrue(
                train.out().contains("6 features, 4 classes") && train.out().contains("6-16(dropout 0.5)-4"),
                train.out());
        double trained = finalTestAccuracy(tmp.resolve("run/history.csv"));
        assertTrue(trained > 0.8, "learns: " + trained);
        // Every row of the file: the model's own split is not known to evaluate, so only the classes are checked.
        MainTest.Result eval = MainTest.run(
                "evaluate",
                "--model",
                model.toString(),
                "--csv",
                csv.toString(),
                "--label-column",
                "kind",
                "--out",
                tmp.resolve("eval").toString());
        assertEquals(0, eval.status(), eval.err());
        assertTrue(eval.out().contains("400 examples"), eval.out());
        assertEquals(
                java.util.List.of("true class", "alpha", "beta", "delta", "gamma"),
                Table.read()
                        .csv(tmp.resolve("eval/confusion_matrix.csv").toString())
                        .columnNames());
    }

    @Test
    void badModelFolderOrOptionsGetOneLineErrors() throws IOException {
        MainTest.Result none =
                MainTest.run("evaluate", "--model", tmp.resolve("nothing").toString());
        assertEquals(2, none.status());
        assertTrue(none.err().contains("no model folder") && none.err().lines().count() == 1, none.err());
        MainTest.Result missing = MainTest.run("evaluate", "--dataset", "mnist");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("--model DIR is required"), missing.err());
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("x"), "x");
        MainTest.Result refused = MainTest.run(
                "train",
                "--csv",
                csv.toString(),
                "--label-column",
                "kind",
                "--save-model",
                full.toString(),
                "--out",
                tmp.resolve("r").toString());
        assertEquals(2, refused.status());
        assertTrue(refused.err().contains("exists and is not an empty folder"), refused.err());
        assertFalse(Files.exists(tmp.resolve("r")), "refused before any output");
        MainTest.Result label = MainTest.run(
                "train", "--csv", csv.toString(), "--out", tmp.resolve("r2").toString());
        assertEquals(2, label.status());
        assertTrue(label.err().contains("no label column 'label'"), label.err());
        MainTest.Result help = MainTest.run("evaluate", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--model DIR"));
    }
}
