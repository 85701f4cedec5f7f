package dev.dropkit.bench;

import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.EpochBench;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * {@code ./run bench --parallel [--dropout-kind KIND]}: the seed model with standard and fast dropout (or KIND) on MNIST with data-parallel workers 1 and 2 at batch 128, 512 and
 * 2048, each with 1 and 2 intra-op threads, all configurations taking turns epoch by epoch. Writes
 * build/bench/parallel.csv: seconds per epoch, speed-up of 2 workers over 1 at the same batch and thread count,
 * test accuracy.
 *
 * <p>With the standard kind, the dropout operator draws from the engine's one global generator, which serialises
 * the shards' masks; with fast dropout each shard draws its mask in Java.
 */
public final class ParallelBench {
    public static void main(String[] args) throws IOException {
        int warmup = 3; // as the main bench: 3 warm-up and 7 timed epochs per configuration
        int timed = 7;
        Path out = Path.of("build/bench");
        List<DropoutKind> kinds = List.of(DropoutKind.STANDARD, DropoutKind.FAST);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dropout-kind" -> kinds = List.of(DropoutKind.parse(args[++i]));
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--timed" -> timed = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("bench --parallel: unknown option " + args[i]
                            + " (options: --warmup N --timed N --out DIR --dropout-kind standard|fast|...)");
                    System.exit(2);
                }
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        try (ImageData mnist = ImageData.load("mnist")) {
            EpochBench bench = EpochBench.on(mnist).warmup(warmup).timed(timed);
            for (DropoutKind kind : kinds) {
                for (int batch : new int[] {128, 512, 2048}) {
                    for (int threads : new int[] {1, 2}) {
                        for (int workers : new int[] {1, 2}) {
                            if (threads > cores || workers > cores) {
                                continue;
                            }
                            Training t = Training.of(Mlp.seedModel().withDropoutKind(kind)).sgd(0.1)
                                    .weightDecay(1e-4).batchSize(batch).workers(workers).seed(42).progress(false);
                            bench.add(name(kind, batch, workers, threads),
                                    () -> new Threaded(t.start(mnist), threads));
                        }
                    }
                }
            }
            Table s = bench.run().summary();
            Files.createDirectories(out);
            Path tmp = Files.createTempFile(out, ".parallel-", ".csv");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write("dropout_kind,batch,workers,threads,median_s_per_epoch,median_cpu_s,speedup_vs_1_worker,"
                        + "test_accuracy\n");
                for (Row r : s) {
                    String[] p = r.getString("config").split("-");
                    DropoutKind kind = DropoutKind.parse(p[0]);
                    double one = median(s, name(kind, Integer.parseInt(p[2]), 1, Integer.parseInt(p[6])));
                    double sec = r.getDouble("median_s_per_epoch");
                    String line = String.format(Locale.ROOT, "%s,%s,%s,%s,%.4f,%.4f,%.3f,%.4f%n", p[0], p[2], p[4], p[6],
                            sec, r.getDouble("median_cpu_s"), one / sec, r.getDouble("test_accuracy"));
                    w.write(line);
                    System.out.print(line);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, out.resolve("parallel.csv"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            System.out.println("wrote " + out.resolve("parallel.csv"));
        }
    }

    static String name(DropoutKind kind, int batch, int workers, int threads) {
        return kind.label() + "-batch-" + batch + "-workers-" + workers + "-threads-" + threads;
    }

    private static double median(Table s, String config) {
        for (Row r : s) {
            if (r.getString("config").equals(config)) {
                return r.getDouble("median_s_per_epoch");
            }
        }
        return Double.NaN;
    }

    /** A toolkit run whose epochs use their own intra-op thread count (configurations with 1 and 2 take turns). */
    private static final class Threaded implements EpochBench.Contestant {
        private final EpochBench.Contestant run;
        private final int threads;

        Threaded(TrainingRun run, int threads) {
            this.run = EpochBench.contestant(run);
            this.threads = threads;
        }

        @Override
        public double epoch() {
            Env.threads(threads);
            return run.epoch();
        }

        @Override
        public double lastCpuSeconds() {
            return run.lastCpuSeconds();
        }

        @Override
        public double testAccuracy() {
            return run.testAccuracy();
        }

        @Override
        public void close() {
            run.close();
        }
    }
}
