package dev.dropkit.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.EpochBench;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.plot.BarChart;
import dev.dropkit.train.Training;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code ./run bench}: the seed model (784-128-10, dropout 0.5, SGD lr 0.1, weight decay 1e-4, batch 128) on
 * MNIST, in one run: the toolkit loop with each dropout variant and without dropout, DJL's EasyTrain with its stock
 * Dropout, and the peers (PyTorch and Deeplearning4j, each in its own process, driven epoch by epoch), all taking
 * turns epoch by epoch. Writes build/bench/results.csv, epochs.csv and results.png (temporary files moved into
 * place), then {@link TimeToAccuracy}'s time_to_accuracy.csv.
 *
 * <p>A configuration whose final test accuracy is more than one point below the toolkit's no-dropout run (or that
 * crashed) is FAILED: so marked in results.csv and on the console, left out of every ratio, and the bench exits
 * with status 1 after writing its files. A peer whose runtime is missing is skipped with a message naming the
 * package that installs it.
 */
public final class DropoutBench {
    /** Floating-point operations of one MNIST epoch of the seed model (forward, backward, 60,000 examples). */
    static final double EPOCH_GFLOP = 24.5;
    /** A configuration more than this far below no dropout's test accuracy did not learn properly. */
    static final double FAIL_MARGIN = 0.01;

    static final String NO_DROPOUT = "toolkit-no-dropout";
    static final List<String> CONFIGS = List.of(
            "toolkit-standard",
            NO_DROPOUT,
            "toolkit-fast",
            "toolkit-structured",
            "toolkit-bn",
            "easytrain-standard",
            "pytorch-standard",
            "pytorch-no-dropout",
            "dl4j-standard");

    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = Env.DEFAULT_THREADS;
        int warmup = 3;
        int timed = 7;
        int ttaSeeds = 3;
        Path out = Path.of("build/bench");
        String python = "/usr/bin/python3";
        Path peer = Path.of("src/bench/pytorch_peer.py");
        String dl4j = null; // class path of the Deeplearning4j peer JVM, null: not available
        List<String> chosen = CONFIGS;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--threads" -> threads = intArg(args, ++i, a);
                    case "--warmup" -> warmup = intArg(args, ++i, a);
                    case "--timed" -> timed = intArg(args, ++i, a);
                    case "--out" -> out = Path.of(arg(args, ++i, a));
                    case "--python" -> python = arg(args, ++i, a);
                    case "--peer" -> peer = Path.of(arg(args, ++i, a));
                    case "--dl4j-classpath" -> dl4j = arg(args, ++i, a);
                    case "--time-to-accuracy-seeds" -> ttaSeeds = intArg(args, ++i, a);
                    case "--configs" -> chosen = configs(arg(args, ++i, a));
                    default ->
                        throw new IllegalArgumentException("unknown option " + a + " (options: --threads N"
                                + " --warmup N --timed N --configs a,b,... --out DIR --python PATH|none"
                                + " --dl4j-classpath CP|none --time-to-accuracy-seeds N, 0 to skip)");
                }
            }
            if (threads < 1 || threads > cores) {
                throw new IllegalArgumentException("--threads " + threads + " is outside 1.." + cores
                        + " (this machine's cores): pick a thread count in that range");
            }
            if (warmup < 0 || timed < 1 || ttaSeeds < 0) {
                throw new IllegalArgumentException("--warmup must be >= 0, --timed >= 1 and --time-to-accuracy-seeds"
                        + " >= 0: e.g. --warmup 3 --timed 7");
            }
            if (!chosen.contains(NO_DROPOUT)) {
                throw new IllegalArgumentException(
                        "--configs must include " + NO_DROPOUT + ": it is the accuracy reference that decides FAILED");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
        }
        Env.threads(threads);
        double peak = PeakFlops.perCoreGflops();
        double floorSeconds = EPOCH_GFLOP / (peak * threads);
        System.out.println(String.format(
                Locale.ROOT,
                "threads: %d intra-op (toolkit, EasyTrain and the peers alike);"
                        + " %d warm-up + %d timed epochs per configuration, taking turns",
                Env.threads(),
                warmup,
                timed));
        System.out.println(String.format(
                Locale.ROOT,
                "arithmetic floor: %.1f GFLOP per epoch; this machine's peak"
                        + " %.0f GFLOP/s per core (DJL matMul 512x784 . 784x128, 1 thread) -> %.3f s per epoch at %d thread%s",
                EPOCH_GFLOP,
                peak,
                floorSeconds,
                threads,
                threads > 1 ? "s" : ""));
        boolean anyFailed;
        try (ImageData mnist = ImageData.builder("mnist").validation(0).build()) {
            Training base = Training.of(Mlp.seedModel())
                    .sgd(0.1)
                    .weightDecay(1e-4)
                    .batchSize(128)
                    .seed(42);
            EpochBench bench = EpochBench.on(mnist).warmup(warmup).timed(timed);
            Map<String, Guarded> guards = new LinkedHashMap<>();
            final int t = threads;
            final String py = python;
            final Path script = peer;
            final String dl4jCp = dl4j;
            for (String name : chosen) {
                Supplier<EpochBench.Contestant> make =
                        switch (name) {
                            case "toolkit-standard" -> toolkit(base.copy(), mnist);
                            case NO_DROPOUT ->
                                toolkit(base.model(Mlp.seedModel().withDropout(0)), mnist);
                            case "toolkit-fast" ->
                                toolkit(base.model(Mlp.seedModel().withDropoutKind(DropoutKind.FAST)), mnist);
                            case "toolkit-structured" ->
                                toolkit(base.model(Mlp.seedModel().withDropoutKind(DropoutKind.STRUCTURED)), mnist);
                            case "toolkit-bn" ->
                                toolkit(
                                        base.model(Mlp.seedModel().withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN)),
                                        mnist);
                            case "easytrain-standard" -> () -> new EasyTrainContestant(mnist);
                            case "pytorch-standard", "pytorch-no-dropout" ->
                                missing(
                                                py,
                                                "none",
                                                "the PyTorch peer",
                                                "python3-torch (environment/setup.sh --with-bench)")
                                        ? null
                                        : () -> PeerContestant.python(
                                                py, script, name.endsWith("standard") ? 0.5 : 0, t);
                            case "dl4j-standard" ->
                                missing(
                                                dl4jCp,
                                                "none",
                                                "the Deeplearning4j peer",
                                                "the Maven profile bench-dl4j (./run bench resolves it; needs Maven Central)")
                                        ? null
                                        : () -> PeerContestant.dl4j(dl4jCp, 0.5, t);
                            default -> throw new IllegalStateException(name);
                        };
                if (make != null) {
                    Guarded g = new Guarded(name, make);
                    guards.put(name, g);
                    bench.add(name, g);
                }
            }
            Table summary = bench.run().summary();
            anyFailed = judge(summary, guards, floorSeconds);
            Files.createDirectories(out);
            writeCsv(summary, out.resolve("results.csv"));
            Path epochsTmp = Files.createTempFile(out, ".epochs-", ".csv");
            bench.epochs().write().csv(epochsTmp.toString());
            Files.move(
                    epochsTmp,
                    out.resolve("epochs.csv"),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            BarChart.of(summary, "config", "median_s_per_epoch", "median_cpu_s")
                    .labels(true)
                    .size(1400, 500)
                    .title("Seconds per MNIST epoch, wall clock and CPU (median of " + timed + ", " + threads
                            + " thread" + (threads > 1 ? "s" : "") + ")")
                    .yLabel("seconds per epoch")
                    .save(out.resolve("results.png"));
            print(summary);
            System.out.println("wrote " + out.resolve("results.csv") + ", epochs.csv and results.png");
        }
        if (ttaSeeds > 0) {
            TimeToAccuracy.run(ttaSeeds, out.resolve("time_to_accuracy.csv"));
        }
        if (anyFailed) {
            System.err.println("bench: FAILED configurations (see above): their speed is not a result");
            System.exit(1);
        }
    }

    private static Supplier<EpochBench.Contestant> toolkit(Training training, ImageData data) {
        Training quiet = training.copy().progress(false);
        return () -> EpochBench.contestant(quiet.start(data));
    }

    /** True (and says so) when a peer's runtime is switched off or absent. */
    private static boolean missing(String runtime, String off, String what, String installHint) {
        if (runtime == null || runtime.equals(off)) {
            System.out.println("skipped " + what + ": its runtime is not available; install " + installHint);
            return true;
        }
        return false;
    }

    static List<String> configs(String list) {
        List<String> chosen = new ArrayList<>();
        for (String c : list.split(",")) {
            String name = c.trim();
            if (!CONFIGS.contains(name)) {
                throw new IllegalArgumentException(
                        "unknown configuration '" + name + "': use some of " + String.join(",", CONFIGS));
            }
            if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        return chosen;
    }

    private static String arg(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int intArg(String[] args, int i, String option) {
        String v = arg(args, i, option);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, not '" + v + "'");
        }
    }

    /**
     * Adds status (OK / FAILED: why), the ratios (only between OK configurations), achieved GFLOP/s and the ratio
     * to the arithmetic floor. Returns whether any configuration failed.
     */
    static boolean judge(Table summary, Map<String, Guarded> guards, double floorSeconds) {
        StringColumn status = StringColumn.create("status");
        double reference = Double.NaN;
        for (Row r : summary) {
            if (r.getString("config").equals(NO_DROPOUT)) {
                reference = r.getDouble("test_accuracy");
            }
        }
        boolean anyFailed = false;
        for (Row r : summary) {
            String name = r.getString("config");
            Guarded g = guards.get(name);
            double acc = r.getDouble("test_accuracy");
            String s;
            if (g != null && g.failure != null) {
                s = "FAILED: crashed (" + g.failure + ")";
            } else if (!(acc >= 0)) {
                s = "FAILED: no test accuracy";
            } else if (!(reference >= 0)) {
                s = "FAILED: no reference (" + NO_DROPOUT + " did not finish)";
            } else if (acc < reference - FAIL_MARGIN) {
                s = String.format(
                        Locale.ROOT,
                        "FAILED: test accuracy %.2f%% is more than %.0f point below %s's" + " %.2f%%",
                        100 * acc,
                        100 * FAIL_MARGIN,
                        NO_DROPOUT,
                        100 * reference);
            } else {
                s = "OK";
            }
            anyFailed |= !s.equals("OK");
            status.append(s);
        }
        summary.addColumns(status);
        ratio(summary, "ratio_to_pytorch", "pytorch-standard", "median_s_per_epoch");
        ratio(summary, "ratio_to_no_dropout", NO_DROPOUT, "median_s_per_epoch");
        ratio(summary, "ratio_to_standard", "toolkit-standard", "median_s_per_epoch");
        ratio(summary, "ratio_to_dl4j", "dl4j-standard", "median_s_per_epoch");
        ratio(summary, "ratio_to_easytrain", "easytrain-standard", "median_s_per_epoch");
        ratio(summary, "cpu_ratio_to_pytorch", "pytorch-standard", "median_cpu_s");
        ratio(summary, "cpu_ratio_to_no_dropout", NO_DROPOUT, "median_cpu_s");
        ratio(summary, "cpu_ratio_to_standard", "toolkit-standard", "median_cpu_s");
        DoubleColumn gflops = DoubleColumn.create("gflop_per_s");
        DoubleColumn floor = DoubleColumn.create("ratio_to_floor");
        for (Row r : summary) {
            double sec = r.getDouble("median_s_per_epoch");
            gflops.append(EPOCH_GFLOP / sec);
            floor.append(sec / floorSeconds);
        }
        summary.addColumns(gflops, floor);
        return anyFailed;
    }

    /** {@code column} = measure / the reference's measure, NaN where either failed or the reference is absent. */
    private static void ratio(Table summary, String column, String reference, String measure) {
        double base = Double.NaN;
        for (Row r : summary) {
            if (r.getString("config").equals(reference) && r.getString("status").equals("OK")) {
                base = r.getDouble(measure);
            }
        }
        DoubleColumn c = DoubleColumn.create(column);
        for (Row r : summary) {
            c.append(r.getString("status").equals("OK") ? r.getDouble(measure) / base : Double.NaN);
        }
        summary.addColumns(c);
    }

    private static void print(Table summary) {
        System.out.println(
                "seconds per epoch: wall clock (median, min, max of the timed epochs) and CPU of the training"
                        + " thread or peer process (less sensitive to other load); ratios only between OK configurations:");
        System.out.println(String.format(
                Locale.ROOT,
                "%-20s %8s %7s %7s %8s %8s %8s %8s %8s %8s %8s %7s %7s  %s",
                "config",
                "median_s",
                "min_s",
                "max_s",
                "cpu_s",
                "test_acc",
                "/pytorch",
                "/dl4j",
                "/no-drop",
                "/standard",
                "cpu/no-d",
                "GFLOP/s",
                "/floor",
                "status"));
        for (Row r : summary) {
            System.out.println(String.format(
                    Locale.ROOT,
                    "%-20s %8.3f %7.3f %7.3f %8.3f %7.2f%% %8s %8s %8s %8s %8s %7.1f %7.2f  %s",
                    r.getString("config"),
                    r.getDouble("median_s_per_epoch"),
                    r.getDouble("min_s"),
                    r.getDouble("max_s"),
                    r.getDouble("median_cpu_s"),
                    100 * r.getDouble("test_accuracy"),
                    num(r.getDouble("ratio_to_pytorch")),
                    num(r.getDouble("ratio_to_dl4j")),
                    num(r.getDouble("ratio_to_no_dropout")),
                    num(r.getDouble("ratio_to_standard")),
                    num(r.getDouble("cpu_ratio_to_no_dropout")),
                    r.getDouble("gflop_per_s"),
                    r.getDouble("ratio_to_floor"),
                    r.getString("status")));
        }
        for (Row r : summary) {
            String name = r.getString("config");
            if (name.equals("toolkit-structured") && r.getDouble("ratio_to_standard") > 0) {
                System.out.println(String.format(
                        Locale.ROOT,
                        "structured dropout: %.2fx faster per epoch than" + " standard (wall), %.2fx (CPU)",
                        1 / r.getDouble("ratio_to_standard"),
                        1 / r.getDouble("cpu_ratio_to_standard")));
            }
            if (name.equals("toolkit-fast") && r.getDouble("ratio_to_no_dropout") > 0) {
                System.out.println(String.format(
                        Locale.ROOT,
                        "fast dropout: %.2fx no dropout's epoch (wall), %.2fx" + " (CPU)",
                        r.getDouble("ratio_to_no_dropout"),
                        r.getDouble("cpu_ratio_to_no_dropout")));
            }
            if (r.getString("status").startsWith("FAILED")) {
                System.out.println(name + ": " + r.getString("status"));
            }
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** results.csv through a temporary file moved into place; ratios of FAILED configurations are empty. */
    static void writeCsv(Table summary, Path file) throws IOException {
        String[] numbers = {
            "median_s_per_epoch",
            "min_s",
            "max_s",
            "test_accuracy",
            "ratio_to_pytorch",
            "ratio_to_no_dropout",
            "median_cpu_s",
            "ratio_to_standard",
            "ratio_to_dl4j",
            "ratio_to_easytrain",
            "cpu_ratio_to_no_dropout",
            "cpu_ratio_to_standard",
            "gflop_per_s",
            "ratio_to_floor"
        };
        Path tmp = Files.createTempFile(file.getParent(), ".results-", ".csv");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            w.write("config," + String.join(",", numbers) + ",status\n");
            for (Row r : summary) {
                StringBuilder line = new StringBuilder(r.getString("config"));
                for (String c : numbers) {
                    double v = r.getDouble(c);
                    line.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v));
                }
                line.append(",\"")
                        .append(r.getString("status").replace("\"", "'"))
                        .append("\"\n");
                w.write(line.toString());
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A contestant that cannot stop the bench: if it fails to start or crashes mid-run, the failure is recorded,
     * its later epochs are skipped (NaN) and the other configurations go on.
     */
    static final class Guarded implements EpochBench.Contestant, Supplier<EpochBench.Contestant> {
        private final String name;
        private final Supplier<EpochBench.Contestant> make;
        private EpochBench.Contestant inner;
        String failure;

        Guarded(String name, Supplier<EpochBench.Contestant> make) {
            this.name = name;
            this.make = make;
        }

        @Override
        public EpochBench.Contestant get() {
            try {
                inner = make.get();
            } catch (RuntimeException e) {
                fail(e);
            }
            return this;
        }

        private void fail(RuntimeException e) {
            failure = String.valueOf(e.getMessage())
                    .lines()
                    .findFirst()
                    .orElse(e.getClass().getSimpleName());
            System.out.println(name + " FAILED: " + failure + " (the other configurations go on)");
            close();
        }

        @Override
        public double epoch() {
            if (failure != null) {
                return Double.NaN;
            }
            try {
                return inner.epoch();
            } catch (RuntimeException e) {
                fail(e);
                return Double.NaN;
            }
        }

        @Override
        public double lastCpuSeconds() {
            return failure != null ? Double.NaN : inner.lastCpuSeconds();
        }

        @Override
        public double testAccuracy() {
            if (failure != null) {
                return Double.NaN;
            }
            try {
                return inner.testAccuracy();
            } catch (RuntimeException e) {
                fail(e);
                return Double.NaN;
            }
        }

        @Override
        public void close() {
            if (inner != null) {
                try {
                    inner.close();
                } catch (Exception e) {
                    // closing the others matters more
                }
                inner = null;
            }
        }
    }

    /** DJL's EasyTrain.fit over an ArrayDataset (batches stacked per step) with the stock Dropout block. */
    static final class EasyTrainContestant implements EpochBench.Contestant {
        private final ImageData data;
        private final Model model;
        private final Trainer trainer;
        private final ArrayDataset train;

        EasyTrainContestant(ImageData data) {
            this.data = data;
            Env.engine().setRandomSeed(42);
            SequentialBlock block = new SequentialBlock()
                    .add(Linear.builder().setUnits(128).build())
                    .add(Activation::relu)
                    .add(Dropout.builder().optRate(0.5f).build())
                    .add(Linear.builder().setUnits(10).build());
            model = Model.newInstance("easytrain");
            model.setBlock(block);
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.1f))
                            .optWeightDecays(1e-4f)
                            .build()));
            trainer.initialize(new Shape(1, 784));
            train = new ArrayDataset.Builder()
                    .setData(data.trainX())
                    .optLabels(data.trainY())
                    .setSampling(128, true)
                    .build();
        }

        private double lastCpu = Double.NaN;

        @Override
        public double lastCpuSeconds() {
            return lastCpu;
        }

        @Override
        public double epoch() {
            var cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpuStart = cpu.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            try {
                EasyTrain.fit(trainer, 1, train, null);
                lastCpu = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (TranslateException e) {
                throw new IllegalStateException("EasyTrain failed: " + e.getMessage(), e);
            }
            return (System.nanoTime() - start) / 1e9;
        }

        @Override
        public double testAccuracy() {
            try (NDManager scratch = data.manager().newSubManager()) {
                var logits = trainer.evaluate(new NDList(data.testX().get(scratch, new NDIndex(":"))))
                        .head();
                return logits.argMax(1).eq(data.testY()).sum().getLong() / (double) data.testSize();
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    /**
     * A peer process (PyTorch or Deeplearning4j), one epoch per command; it waits on stdin (no CPU) while the others
     * train. Protocol: "epoch" -> "wall_seconds cpu_seconds", "eval" -> test accuracy, "quit".
     */
    static final class PeerContestant implements EpochBench.Contestant {
        private final String label;
        private final Process process;
        private final BufferedReader in;
        private final Writer out;
        private double lastCpu = Double.NaN;

        static PeerContestant python(String python, Path script, double dropout, int threads) {
            return new PeerContestant(
                    "the PyTorch peer (dropout " + dropout + ")",
                    List.of(
                            python,
                            script.toString(),
                            "--data",
                            Env.dataDir().resolve("mnist").toString(),
                            "--dropout",
                            String.valueOf(dropout),
                            "--threads",
                            String.valueOf(threads)),
                    threads,
                    null,
                    "install python3-torch (environment/setup.sh --with-bench)");
        }

        /** Deeplearning4j in its own JVM, with ND4J's native build named by the class path (e.g. -avx512). */
        static PeerContestant dl4j(String classpath, double dropout, int threads) {
            String extension = "";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "nd4j-native-[^/:]*-linux-x86_64(-[a-z0-9-]+)\\.jar")
                    .matcher(classpath);
            while (m.find()) {
                extension = m.group(1);
            }
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g", "-cp", classpath));
            if (!extension.isEmpty()) {
                command.add("-Dorg.bytedeco.javacpp.platform.extension=" + extension);
            }
            command.addAll(List.of(
                    "dev.dropkit.bench.dl4j.Dl4jPeer",
                    "--data",
                    Env.dataDir().resolve("mnist").toString(),
                    "--dropout",
                    String.valueOf(dropout)));
            return new PeerContestant(
                    "the Deeplearning4j peer (nd4j-native linux-x86_64" + extension + ")",
                    command,
                    threads,
                    Path.of("build/bench/dl4j-peer.log"),
                    "resolve the Maven profile bench-dl4j (./run bench does)");
        }

        private PeerContestant(String label, List<String> command, int threads, Path log, String installHint) {
            this.label = label;
            ProcessBuilder pb = new ProcessBuilder(command);
            for (String v : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
                pb.environment().put(v, String.valueOf(threads));
            }
            pb.redirectError(log == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(log.toFile()));
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot start " + label + " (" + command.get(0) + "): " + installHint, e);
            }
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            System.out.println(label + ": " + read());
        }

        private String read() {
            try {
                String line = in.readLine();
                if (line == null || line.startsWith("error")) {
                    throw new IllegalStateException(label + " stopped: " + (line == null ? "it exited" : line)
                            + " (its errors are on the console or in build/bench/*-peer.log)");
                }
                return line;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String ask(String command) {
            try {
                out.write(command + "\n");
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(label + " stopped: " + e.getMessage());
            }
            return read();
        }

        @Override
        public double epoch() {
            String[] times = ask("epoch").trim().split(" ");
            lastCpu = Double.parseDouble(times[1]);
            return Double.parseDouble(times[0]);
        }

        @Override
        public double lastCpuSeconds() {
            return lastCpu;
        }

        @Override
        public double testAccuracy() {
            return Double.parseDouble(ask("eval"));
        }

        @Override
        public void close() {
            try {
                out.write("quit\n");
                out.flush();
            } catch (IOException e) {
                // already gone
            }
            process.destroy();
        }
    }
}
