package dev.dropkit.bench;

import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.EpochBench;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * Makes nondeterminism visible: repeats the bench's call sequence (the toolkit configurations of the seed model,
 * created together and trained epoch by epoch in turns) several times in one JVM with the same seeds, and compares
 * each repeat's per-epoch training loss bit for bit with the first repeat's. Same seeds must give the same numbers;
 * a difference (or a NaN) means something reads memory it does not own or depends on timing.
 *
 * <pre>
 * java -cp ... dev.dropkit.bench.DivergenceCheck [--repeats 20] [--epochs 3] [--train 10000] [--gc]
 *     [--kinds no-dropout,standard,fast,structured]
 * </pre>
 * {@code --gc} asks for a garbage collection between epochs (so freed direct buffers are released early); run with
 * {@code MALLOC_PERTURB_=165} in the environment to make reads of freed native memory return garbage at once.
 */
public final class DivergenceCheck {
    public static void main(String[] args) {
        int repeats = 20;
        int epochs = 3;
        int train = 10_000;
        boolean gc = false;
        boolean peers = false;
        String python = "/usr/bin/python3";
        String kinds = "no-dropout,standard,fast,structured";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--train" -> train = Integer.parseInt(args[++i]);
                case "--gc" -> gc = true;
                case "--peers" -> peers = true;
                case "--python" -> python = args[++i];
                case "--kinds" -> kinds = args[++i];
                default -> {
                    System.err.println("divergence-check: unknown option " + args[i]
                            + " (options: --repeats N --epochs N --train N --gc --kinds a,b)");
                    System.exit(2);
                }
            }
        }
        Env.threads(1);
        Map<String, Training> configs = new LinkedHashMap<>();
        Training base = Training.of(Mlp.seedModel())
                .sgd(0.1)
                .weightDecay(1e-4)
                .batchSize(128)
                .seed(42)
                .progress(false);
        for (String kind : kinds.split(",")) {
            configs.put(
                    kind,
                    switch (kind) {
                        case "no-dropout" -> base.model(Mlp.seedModel().withDropout(0));
                        case "standard", "fast", "structured" ->
                            base.model(Mlp.seedModel().withDropoutKind(DropoutKind.parse(kind)));
                        default ->
                            throw new IllegalArgumentException(
                                    "unknown kind " + kind + ": use no-dropout, standard, fast or structured");
                    });
        }
        final String py = python;
        Map<String, double[]> reference = new LinkedHashMap<>();
        int mismatches = 0;
        int failures = 0;
        try (ImageData data = ImageData.builder("mnist").trainSubset(train).build()) {
            for (int r = 0; r < repeats; r++) {
                Map<String, TrainingRun> runs = new LinkedHashMap<>();
                EpochBench bench = EpochBench.on(data).warmup(0).timed(epochs).progress(false);
                for (Map.Entry<String, Training> c : configs.entrySet()) {
                    bench.add(c.getKey(), () -> new RunContestant(c.getValue().start(data), runs, c.getKey()));
                }
                if (peers) {
                    bench.add("easytrain", () -> new DropoutBench.EasyTrainContestant(data));
                    bench.add(
                            "pytorch",
                            () -> DropoutBench.PeerContestant.python(py, Path.of("src/bench/pytorch_peer.py"), 0.5, 1));
                }
                bench.run();
                Table summary = bench.summary();
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "repeat %2d:", r + 1));
                for (Row row : summary) {
                    String name = row.getString("config");
                    double acc = row.getDouble("test_accuracy");
                    TrainingRun run = runs.get(name);
                    double[] fingerprint = run != null
                            ? run.history()
                                    .table()
                                    .doubleColumn(History.TRAIN_LOSS)
                                    .asDoubleArray()
                            : new double[] {acc};
                    double[] ref = reference.putIfAbsent(name, fingerprint);
                    boolean same = ref == null || java.util.Arrays.equals(ref, fingerprint);
                    mismatches += same ? 0 : 1;
                    failures += acc < 0.5 ? 1 : 0;
                    line.append(String.format(Locale.ROOT, "  %s %.2f%%%s", name, 100 * acc, same ? "" : " DIFFERS"));
                }
                System.out.println(line);
                if (gc) {
                    System.gc();
                }
            }
        }
        System.out.println(failures + " runs below 50% test accuracy");
        System.out.println(mismatches == 0 ? "all repeats bit-identical" : mismatches + " runs differ from repeat 1");
        System.exit(mismatches == 0 && failures == 0 ? 0 : 1);
    }

    /** A toolkit run that stays readable after the bench (its history), closed by the bench. */
    private static final class RunContestant implements EpochBench.Contestant {
        private final TrainingRun run;

        RunContestant(TrainingRun run, Map<String, TrainingRun> registry, String name) {
            this.run = run;
            registry.put(name, run);
        }

        @Override
        public double epoch() {
            History h = run.train(1);
            return h.table().doubleColumn(History.SECONDS).get(h.epochs() - 1);
        }

        @Override
        public double testAccuracy() {
            return run.history().finalTestAccuracy();
        }

        @Override
        public void close() {
            run.close();
        }
    }
}
