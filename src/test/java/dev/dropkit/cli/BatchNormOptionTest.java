package dev.dropkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** {@code --batch-norm ORDER} through the command line's entry point, on a small generated data set. */
class BatchNormOptionTest {
    @TempDir
    static Path shared;

    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeData() throws IOException {
        data = MainTest.writeIdxGz(shared, 5);
    }

    private String[] args(String command, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                command,
                "--data-dir",
                data.toString(),
                "--epochs",
                "2",
                "--lr",
                "0.1",
                "--threads",
                "1",
                "--validation",
                "0.1",
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        if (!args.contains("--batch-size")) {
            args.addAll(List.of("--batch-size", "32"));
        }
        return args.toArray(String[]::new);
    }

    @Test
    void trainsTheModelWithBatchNormalizationInTheChosenOrder() throws IOException {
        Path out = tmp.resolve("bn");
        MainTest.Result r = MainTest.run(args("train", out, "--batch-norm", "after", "--dropout", "0.25"));
        assertEquals(0, r.status(), r.err());
        assertTrue(
                r.out().contains("784-128(bn, dropout 0.25)-10"), "the model line names BN then dropout: " + r.out());
        Table history = Table.read().csv(out.resolve("history.csv").toString());
        assertTrue(history.numberColumn("val_accuracy").getDouble(1) > 0.5, "learns the generated classes");
        assertTrue(Files.readString(out.resolve("settings.txt")).contains("--batch-norm after"));

        MainTest.Result before =
                MainTest.run(args("train", tmp.resolve("before"), "--batch-norm", "DROPOUT_BEFORE_BN"));
        assertEquals(0, before.status(), before.err());
        assertTrue(before.out().contains("784-128(dropout 0.5, bn)-10"), before.out());
        MainTest.Result none = MainTest.run(args("train", tmp.resolve("none"), "--batch-norm", "none"));
        assertEquals(0, none.status(), none.err());
        assertTrue(none.out().contains("784-128(dropout 0.5)-10"), none.out());
    }

    @Test
    void aSweepOverOrdersGivesOneConfigurationPerOrder() {
        Path out = tmp.resolve("orders");
        MainTest.Result r = MainTest.run(args("sweep", out, "--batch-norm", "none,before,after"));
        assertEquals(0, r.status(), r.err());
        Table summary = Table.read().csv(out.resolve("summary.csv").toString());
        assertEquals(
                List.of("batch-norm=none", "batch-norm=before", "batch-norm=after"),
                summary.stringColumn("run").asList());
        assertEquals(
                List.of("none", "before", "after"),
                summary.stringColumn("batch_norm").asList());
    }

    @Test
    void badOrdersAndBatchesOfOneAreOneLineErrorsBeforeAnyTraining() {
        expectError(
                args("train", tmp.resolve("o1"), "--batch-norm", "sideways"),
                "--batch-norm: unknown batch-norm order 'sideways': use one of before, after, after-last");
        expectError(
                args("train", tmp.resolve("o2"), "--batch-norm", "after", "--batch-size", "1"),
                "batch normalization needs at least 2 examples per training batch");
        // 540 training images (600 less the validation tenth) in batches of 539 leave a last batch of one.
        expectError(
                args("train", tmp.resolve("o3"), "--batch-norm", "before", "--batch-size", "539"),
                "the last batch of each epoch holds 1 example");
        // In a sweep the second value is the bad one: nothing trains, not even the first.
        expectError(
                args("sweep", tmp.resolve("o4"), "--batch-norm", "after", "--batch-size", "32,1"),
                "batch normalization needs at least 2 examples per training batch");
        expectError(
                args("sweep", tmp.resolve("o5"), "--batch-norm", "after,middle"), "unknown batch-norm order 'middle'");
        for (String o : List.of("o1", "o2", "o3", "o4", "o5")) {
            assertFalse(Files.exists(tmp.resolve(o)), "a failed run writes nothing: " + o);
        }
        // Without batch normalization a batch of one is allowed.
        MainTest.Result plain = MainTest.run(args("train", tmp.resolve("plain"), "--batch-size", "1"));
        assertEquals(0, plain.status(), plain.err());
    }

    private static void expectError(String[] args, String expected) {
        MainTest.Result r = MainTest.run(args);
        assertEquals(2, r.status(), String.join(" ", args) + " -> " + r.err() + r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(expected), "'" + err + "' should contain '" + expected + "'");
        assertFalse(r.out().contains("epoch") || r.out().contains("[1/"), "nothing trained: " + r.out());
    }
}
