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
import dev.dropkit.AtomicFiles;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.EpochBench;
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
import java.util.Locale;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * {@code ./run bench}: the seed model (784-128-10, dropout 0.5, SGD lr 0.1, weight decay 1e-4, batch 128) on
 * MNIST, in one run: the toolkit loop with each dropout variant and without dropout, DJL's EasyTrain with its stock
 * Dropout, and the PyTorch peer (a Python process driven epoch by epoch), all taking turns epoch by epoch.
 * Writes build/bench/results.csv and results.png (temporary files moved into place).
 */
public final class DropoutBench {
    public static void main(String[] args) throws Exception {
        int threads = Env.DEFAULT_THREADS;
        int warmup = 3;
        int timed = 7;
        Path out = Path.of("build/bench");
        String python = "/usr/bin/python3";
        Path peer = Path.of("src/bench/pytorch_peer.py");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--timed" -> timed = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--python" -> python = args[++i];
                case "--peer" -> peer = Path.of(args[++i]);
                default -> {
                    System.err.println("bench: unknown option " + args[i]
                            + " (options: --threads N --warmup N --timed N --out DIR --python PATH)");
                    System.exit(2);
                }
            }
        }
        Env.threads(threads);
        System.out.println(String.format(Locale.ROOT, "threads: %d intra-op (toolkit, EasyTrain and PyTorch alike);"
                + " %d warm-up + %d timed epochs per configuration, taking turns", Env.threads(), warmup, timed));
        Training base = Training.of(Mlp.seedModel()).sgd(0.1).weightDecay(1e-4).batchSize(128).seed(42);
        try (ImageData mnist = ImageData.builder("mnist").validation(0).build()) { // all 60,000, as the peers train
            final int t = threads;
            final String py = python;
            final Path script = peer;
            EpochBench bench = EpochBench.on(mnist).warmup(warmup).timed(timed)
                    .add("toolkit-standard", base.copy())
                    .add("toolkit-no-dropout", base.model(Mlp.seedModel().withDropout(0)))
                    .add("toolkit-fast", base.model(Mlp.seedModel().withDropoutKind(DropoutKind.FAST)))
                    .add("toolkit-structured", base.model(Mlp.seedModel().withDropoutKind(DropoutKind.STRUCTURED)))
                    .add("toolkit-bn", base.model(Mlp.seedModel()
                            .withBatchNorm(dev.dropkit.model.BatchNormOrder.DROPOUT_AFTER_BN)))
                    .add("easytrain-standard", () -> new EasyTrainContestant(mnist))
                    .add("pytorch-standard", () -> new PeerContestant(py, script, 0.5, t))
                    .add("pytorch-no-dropout", () -> new PeerContestant(py, script, 0, t));
            Table summary = bench.run().summary();
            EpochBench.withRatio(summary, "ratio_to_pytorch", "pytorch-standard");
            EpochBench.withRatio(summary, "ratio_to_no_dropout", "toolkit-no-dropout");
            EpochBench.withRatio(summary, "cpu_ratio_to_pytorch", "pytorch-standard", "median_cpu_s");
            EpochBench.withRatio(summary, "cpu_ratio_to_no_dropout", "toolkit-no-dropout", "median_cpu_s");
            Files.createDirectories(out);
            writeCsv(summary, out.resolve("results.csv"));
            AtomicFiles.write(out.resolve("epochs.csv"), tmp -> bench.epochs().write().csv(tmp.toString()));
            BarChart.of(summary, "config", "median_s_per_epoch", "median_cpu_s").labels(true).size(1300, 500)
                    .title("Seconds per MNIST epoch, wall clock and CPU (median of " + timed + ", " + threads
                            + " thread" + (threads > 1 ? "s" : "") + ")")
                    .yLabel("seconds per epoch").save(out.resolve("results.png"));
            System.out.println("wall-clock seconds per epoch (results.csv), then CPU seconds of the training thread or"
                    + " process (less sensitive to other load on the machine):");
            System.out.println(String.format(Locale.ROOT, "%-20s %8s %7s %7s %8s %9s %9s %8s %9s %9s", "config",
                    "median_s", "min_s", "max_s", "test_acc", "/pytorch", "/no-drop", "cpu_s", "cpu/pyt", "cpu/no-d"));
            for (Row r : summary) {
                System.out.println(String.format(Locale.ROOT, "%-20s %8.3f %7.3f %7.3f %7.2f%% %9.2f %9.2f %8.3f %9.2f %9.2f",
                        r.getString("config"), r.getDouble("median_s_per_epoch"), r.getDouble("min_s"),
                        r.getDouble("max_s"), 100 * r.getDouble("test_accuracy"), r.getDouble("ratio_to_pytorch"),
                        r.getDouble("ratio_to_no_dropout"), r.getDouble("median_cpu_s"),
                        r.getDouble("cpu_ratio_to_pytorch"), r.getDouble("cpu_ratio_to_no_dropout")));
            }
            System.out.println("wrote " + out.resolve("results.csv") + " and " + out.resolve("results.png"));
        }
    }

    /** The CSV with the column order the issue fixes, through a temporary file moved into place. */
    static void writeCsv(Table summary, Path file) {
        AtomicFiles.write(file, tmp -> {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("config,median_s_per_epoch,min_s,max_s,test_accuracy,ratio_to_pytorch,ratio_to_no_dropout\n");
                for (Row r : summary) {
                    w.write(String.format(Locale.ROOT, "%s,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f%n", r.getString("config"),
                            r.getDouble("median_s_per_epoch"), r.getDouble("min_s"), r.getDouble("max_s"),
                            r.getDouble("test_accuracy"), r.getDouble("ratio_to_pytorch"),
                            r.getDouble("ratio_to_no_dropout")));
                }
            }
        });
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
                    .add(Linear.builder().setUnits(128).build()).add(Activation::relu)
                    .add(Dropout.builder().optRate(0.5f).build())
                    .add(Linear.builder().setUnits(10).build());
            model = Model.newInstance("easytrain");
            model.setBlock(block);
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).optWeightDecays(1e-4f)
                            .build()));
            trainer.initialize(new Shape(1, 784));
            train = new ArrayDataset.Builder().setData(data.trainX()).optLabels(data.trainY())
                    .setSampling(128, true).build();
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
                var logits = trainer.evaluate(new NDList(data.testX().get(scratch, new NDIndex(":")))).head();
                return logits.argMax(1).eq(data.testY()).sum().getLong() / (double) data.testSize();
            }
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    /** The PyTorch peer process, one epoch per command; it waits on stdin (no CPU) while the others train. */
    static final class PeerContestant implements EpochBench.Contestant {
        private final Process process;
        private final BufferedReader in;
        private final Writer out;

        PeerContestant(String python, Path script, double dropout, int threads) {
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--data",
                    Env.dataDir().resolve("mnist").toString(), "--dropout", String.valueOf(dropout),
                    "--threads", String.valueOf(threads));
            for (String v : new String[] {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}) {
                pb.environment().put(v, String.valueOf(threads));
            }
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the PyTorch peer with " + python
                        + ": install python3-torch (environment/setup.sh --with-bench)", e);
            }
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            out = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            String ready = read();
            System.out.println("PyTorch peer (dropout " + dropout + "): " + ready);
        }

        private String read() {
            try {
                String line = in.readLine();
                if (line == null || line.startsWith("error")) {
                    throw new IllegalStateException("the PyTorch peer stopped: " + line + " (see its error above)");
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
                throw new UncheckedIOException(e);
            }
            return read();
        }

        private double lastCpu = Double.NaN;

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
