package dev.dropkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.IdxFixtures;
import dev.dropkit.experiment.RunSummary;
import dev.dropkit.train.History;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** The command line through its entry point {@link Main#run}, on a small generated data set in the original layout. */
class MainTest {
    @TempDir
    static Path shared;

    static Path data;

    @TempDir
    Path tmp;

    /** Four .gz IDX files under the distribution's names: class k is a bright band at row 2k+4 (learnable). */
    @BeforeAll
    static void writeData() throws IOException {
        data = writeIdxGz(shared, 3);
    }

    /** The four files (600 training, 200 test images) in {@code parent/idx-gz}, drawn with {@code seed}. */
    static Path writeIdxGz(Path parent, long seed) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("idx-gz"));
        Random random = new Random(seed);
        write(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 600, random);
        write(dir, "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 200, random);
        return dir;
    }

    static void write(Path dir, String imagesName, String labelsName, int n, Random random) throws IOException {
        byte[][] files = IdxFixtures.images(n, random);
        gzip(dir.resolve(imagesName), files[0]);
        gzip(dir.resolve(labelsName), files[1]);
    }

    static void gzip(Path file, byte[] bytes) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }

    /** Exit status, stdout and stderr of one invocation. */
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private String[] train(Path out, String... more) {
        List<String> rest = new ArrayList<>(List.of("--threads", "1"));
        rest.addAll(List.of(more));
        return command("train", data, out, rest.toArray(String[]::new));
    }

    /** {@code command} on the generated IDX folder {@code data}: 2 epochs, batch 32, lr 0.1, into {@code out}. */
    static String[] command(String command, Path data, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of(
                command,
                "--data-dir",
                data.toString(),
                "--epochs",
                "2",
                "--batch-size",
                "32",
                "--lr",
                "0.1",
                "--out",
                out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        Result r = run("train", "--help");
        assertEquals(0, r.status());
        for (Options.Spec spec : Options.SPECS) {
            assertTrue(r.out().contains("--" + spec.name() + " "), "help lists --" + spec.name());
        }
        assertTrue(r.out().contains("--dropout P") && r.out().contains("[0.5]"), r.out());
        assertTrue(run("sweep", "--help").out().contains("comma list"));
    }

    @Test
    void trainWritesHistoryChartsAndSettings() throws IOException {
        Path out = tmp.resolve("run");
        Result r = run(train(out, "--dropout", "0.25"));
        assertEquals(0, r.status(), r.err());
        assertTrue(
                r.out().contains("epoch  2")
                        && r.out().contains("done: ")
                        && r.out().contains("test accuracy"),
                r.out());
        Table history = Table.read().csv(out.resolve("history.csv").toString());
        assertEquals(2, history.rowCount());
        assertEquals(0.25, history.numberColumn("dropout").getDouble(0));
        assertTrue(history.numberColumn("test_accuracy").getDouble(1) > 0.5, "learns the generated classes");
        assertPng(out.resolve("accuracy.png"));
        assertPng(out.resolve("loss.png"));
        assertTrue(Files.readString(out.resolve("settings.txt")).contains("--seed 42"));
        assertNoPartialFolders(tmp);
    }

    @Test
    void adaptiveDropoutStartsAtHalfAndStaysWithinTheGivenBounds() throws IOException {
        Path out = tmp.resolve("adaptive");
        String[] fourEpochs = train(out, "--dropout", "adaptive:0.05:0.6");
        fourEpochs[4] = "4"; // --epochs
        Result r = run(fourEpochs);
        assertEquals(0, r.status(), r.err());
        Table history = Table.read().csv(out.resolve("history.csv").toString());
        assertEquals(4, history.rowCount());
        assertEquals(0.5, history.numberColumn("dropout").getDouble(0), "the first epoch runs at the start rate");
        for (int e = 0; e < 4; e++) {
            double p = history.numberColumn("dropout").getDouble(e);
            assertTrue(p >= 0.05 && p <= 0.6, "epoch " + (e + 1) + " rate " + p + " within the bounds");
        }
        Path sweep = tmp.resolve("adaptive-sweep");
        String[] args = train(sweep, "--dropout", "0.5,adaptive");
        args[0] = "sweep";
        r = run(args);
        assertEquals(0, r.status(), r.err());
        Table summary = Table.read().csv(sweep.resolve("summary.csv").toString());
        assertEquals(
                List.of("dropout=0.5", "dropout=adaptive"),
                summary.stringColumn("run").asList());
    }

    @Test
    void concreteDropoutLearnsItsRateScaledByTheTrainingSetSize() throws IOException {
        Options.Settings s = Options.parse(new String[] {"--dropout-kind", "concrete", "--dropout", "0.3"})
                .settings(java.util.Map.of());
        assertEquals(
                dev.dropkit.model.ConcreteDropout.Settings.forTrainingSize(480),
                Experiment.training(s, 480).model().concrete());
        Path out = tmp.resolve("concrete");
        Result r = run(train(out, "--dropout-kind", "concrete", "--dropout", "0.3"));
        assertEquals(0, r.status(), r.err());
        Table history = Table.read().csv(out.resolve("history.csv").toString());
        for (int e = 0; e < 2; e++) {
            double p = history.numberColumn("dropout").getDouble(e);
            assertTrue(p > 0 && p < 1 && p != 0.3, "epoch " + (e + 1) + " records the learned rate: " + p);
        }
    }

    @Test
    void sweepWritesOneRunPerValueAndComparisonCharts() throws IOException {
        Path out = tmp.resolve("sweep");
        String[] args = train(out, "--dropout", "0,0.5");
        args[0] = "sweep";
        Result r = run(args);
        assertEquals(0, r.status(), r.err());
        Table history = Table.read().csv(out.resolve("history.csv").toString());
        assertEquals(4, history.rowCount());
        Table summary = Table.read().csv(out.resolve("summary.csv").toString());
        assertEquals(
                List.of("dropout=0", "dropout=0.5"), summary.stringColumn("run").asList());
        // Trials run concurrently: they are numbered in the order they finish.
        assertTrue(
                r.out().contains("] dropout=0  seed 42")
                        && r.out().contains("] dropout=0.5  seed 42")
                        && r.out().contains("[1/2] ")
                        && r.out().contains("[2/2] "),
                r.out());
        assertFalse(r.out().contains("epoch  1"), "no per-epoch lines inside a sweep: " + r.out());
        // The generated data holds a validation split where the data layer makes one by default.
        boolean validation = !r.out().contains("no validation split in this data");
        String accuracy = validation ? History.VAL_ACCURACY : History.TRAIN_ACCURACY;
        List<String> charts = new ArrayList<>(List.of(accuracy + ".png", "train_loss.png", accuracy + "_by_time.png"));
        if (validation) {
            charts.add("accuracy_by_dropout.png");
            assertTrue(r.out().contains("chosen on final validation accuracy: "), r.out());
        }
        for (String png : charts) {
            assertPng(out.resolve(png));
        }
        assertNoPartialFolders(tmp);
    }

    @Test
    void sweepRunsEachValueOverSeedsAndSummarisesPerConfiguration() throws IOException {
        Path out = tmp.resolve("seeded");
        String[] args = train(out, "--dropout", "0,0.5", "--seeds", "2");
        args[0] = "sweep";
        Result r = run(args);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("[4/4] ") && r.out().contains("] dropout=0.5  seed 43"), r.out());
        Table summary = Table.read().csv(out.resolve("summary.csv").toString());
        assertEquals(List.of(2, 2), summary.intColumn(RunSummary.SEEDS).asList());
        Table trials = Table.read().csv(out.resolve("trials.csv").toString());
        assertEquals(4, trials.rowCount());
    }

    @Test
    void sweepOverSeedsIsOneConfigurationWithThoseSeeds() throws IOException {
        Path out = tmp.resolve("seeds");
        String[] args = train(out, "--seed", "1,2");
        args[0] = "sweep";
        Result r = run(args);
        assertEquals(0, r.status(), r.err());
        Table summary = Table.read().csv(out.resolve("summary.csv").toString());
        assertEquals(1, summary.rowCount());
        assertEquals(2, summary.intColumn(RunSummary.SEEDS).get(0));
        Table trials = Table.read().csv(out.resolve("trials.csv").toString());
        assertEquals(1.0, trials.numberColumn(RunSummary.SEED).getDouble(0));
        assertEquals(2.0, trials.numberColumn(RunSummary.SEED).getDouble(1));
    }

    @Test
    void sameSeedWithOneThreadGivesTheSameHistory() throws IOException {
        assertEquals(0, run(train(tmp.resolve("a"), "--seed", "7")).status());
        assertEquals(0, run(train(tmp.resolve("b"), "--seed", "7")).status());
        assertEquals(0, run(train(tmp.resolve("c"), "--seed", "8")).status());
        String a = withoutTimes(tmp.resolve("a"));
        assertEquals(a, withoutTimes(tmp.resolve("b")));
        assertFalse(a.equals(withoutTimes(tmp.resolve("c"))), "another seed gives another run");
    }

    @Test
    void badInputGivesOneLineAndStatus2() throws IOException {
        Path truncated = Files.createDirectories(tmp.resolve("truncated"));
        for (String name : List.of(
                "train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(name), truncated.resolve(name));
        }
        // A whole gzip stream whose IDX content is cut short, and a plain file with a wrong header.
        byte[] labels = new byte[8 + 50];
        ByteBuffer.wrap(labels).putInt(0x801).putInt(600);
        gzip(truncated.resolve("train-labels-idx1-ubyte.gz"), labels);
        Path corrupt = Files.createDirectories(tmp.resolve("corrupt"));
        for (String name :
                List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(name), corrupt.resolve(name));
        }
        Files.write(
                corrupt.resolve("t10k-images-idx3-ubyte"), "not an idx file at all".getBytes(StandardCharsets.UTF_8));
        Path cutGzip = Files.createDirectories(tmp.resolve("cut-gzip"));
        for (String name :
                List.of("train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")) {
            Files.copy(data.resolve(name), cutGzip.resolve(name));
        }
        byte[] whole = Files.readAllBytes(data.resolve("train-images-idx3-ubyte.gz"));
        Files.write(cutGzip.resolve("train-images-idx3-ubyte.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("old.csv"), "keep me");

        expectError(train(tmp.resolve("o1"), "--dropout", "1.0"), "dropout rate 1.0 is outside [0, 1)");
        expectError(train(tmp.resolve("o2"), "--dropout", "-0.1"), "dropout rate -0.1 is outside [0, 1)");
        expectError(new String[] {"train", "--lr", "0"}, "learning rate 0.0 must be a positive number");
        expectError(new String[] {"train", "--batch-size", "0"}, "batch size 0 must be at least 1");
        expectError(train(tmp.resolve("o5"), "--dataset", "cifar"), "unknown data set 'cifar': use one of mnist");
        expectError(
                new String[] {"train", "--data-dir", tmp.resolve("nowhere").toString()},
                "data folder " + tmp.resolve("nowhere") + " does not exist");
        expectError(
                new String[] {"train", "--data-dir", truncated.toString()},
                truncated.resolve("train-labels-idx1-ubyte.gz") + " (decompressed) is truncated");
        expectError(
                new String[] {"train", "--data-dir", corrupt.toString()},
                corrupt.resolve("t10k-images-idx3-ubyte") + " is");
        expectError(
                new String[] {"train", "--data-dir", cutGzip.toString()},
                cutGzip.resolve("train-images-idx3-ubyte.gz") + " is truncated (the gzip stream ends early)");
        expectError(train(file.resolve("out")), "cannot write results to --out " + file.resolve("out"));
        expectError(train(full), "--out " + full + " already exists and is not an empty folder");
        expectError(new String[] {"train", "--epochs", "ten"}, "--epochs 'ten' is not a whole number");
        expectError(new String[] {"train", "--threads", "0"}, "thread count 0 is outside");
        expectError(train(tmp.resolve("o8"), "--dropout-kind", "magic"), "unknown dropout variant 'magic'");
        expectError(train(tmp.resolve("o9"), "--dropout", "0,0.5"), "use ./run sweep --dropout 0,0.5");
        expectError(new String[] {"train", "--epoch", "3"}, "unknown option --epoch");
        expectError(new String[] {"sweep", "--epochs", "2"}, "sweep needs one option given as a comma list");
        expectError(new String[] {"sweep", "--dropout", "0,0.5", "--seeds", "0"}, "--seeds 0 must be at least 1");
        expectError(new String[] {"train", "--seeds", "3"}, "use ./run sweep --seeds 3");
        expectError(new String[] {"train", "--validation", "1.5"}, "--validation 1.5 is outside [0, 1)");
        expectError(train(tmp.resolve("o10"), "--dropout", "adaptive:0.6:0.05"), "swap them");
        expectError(train(tmp.resolve("o11"), "--dropout", "adaptive:0.1"), "give a rate such as 0.5, or adaptive");
        expectError(train(tmp.resolve("o12"), "--dropout", "adaptive:0.05:1.2"), "must lie in [0, 1)");
        expectError(train(tmp.resolve("o13"), "--dropout", "adaptive", "--validation", "0"), "--validation 0.1");
        expectError(train(tmp.resolve("o14"), "--dropout-kind", "concrete", "--dropout", "0"), "start inside (0, 1)");
        expectError(
                train(tmp.resolve("o15"), "--dropout-kind", "concrete", "--dropout", "adaptive"),
                "concrete dropout learns its rate");
        assertEquals("keep me", Files.readString(full.resolve("old.csv")), "existing results are never touched");
        assertFalse(Files.exists(tmp.resolve("o1")), "a failed run writes nothing");
        assertNoPartialFolders(tmp);
        assertEquals(2, run("fit").status());
    }

    private static void expectError(String[] args, String expected) {
        Result r = run(args);
        assertEquals(2, r.status(), String.join(" ", args) + " -> " + r.err() + r.out());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
        assertTrue(err.contains(expected), "'" + err + "' should contain '" + expected + "'");
    }

    private static String withoutTimes(Path run) {
        return Table.read()
                .csv(run.resolve("history.csv").toString())
                .removeColumns("seconds", "cumulative_seconds")
                .printAll();
    }

    private static void assertPng(Path file) throws IOException {
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(file), 4);
        assertEquals("\u0089PNG", new String(head, StandardCharsets.ISO_8859_1), file + " is a PNG");
    }

    private static void assertNoPartialFolders(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    files.filter(p -> p.getFileName().toString().contains(".partial-"))
                            .toList());
        }
    }
}
