package dev.dropkit.bench;

import dev.dropkit.AtomicFiles;
import dev.dropkit.experiment.Backend;
import dev.dropkit.experiment.Clusters;
import dev.dropkit.experiment.DataSpec;
import dev.dropkit.experiment.SweepComparison;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code ./run bench --sweeps}: a sweep of 8 trials (dropout 0 to 0.7, seed model, SGD 0.1, full MNIST) run
 * sequentially (local:1), on two local slots (local:2) and on {@code spark:local[2]} (after Spark's start-up and a
 * warm-up sweep), in {@code --rounds} interleaved rounds (the order rotates, so drifting background load spreads over
 * all three). Wall seconds and the JVM's CPU seconds per sweep, the load average at each measurement, and the
 * medians: build/bench/sweeps.csv. On a shared machine wall time mixes in the others' load; the CPU-time estimate
 * ({@code 2 x cpu(local:1) / cpu(local:2)}) is what two free cores would give if each slot kept one busy.
 *
 * <p>Options: {@code --rounds N} (default 3), {@code --epochs N} (default 1), {@code --train-subset N} (default 0:
 * all), {@code --out FILE} (default build/bench/sweeps.csv).
 */
public final class SweepBench {
    private SweepBench() {}

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        int epochs = 1;
        int subset = 0;
        Path out = Path.of("build", "bench", "sweeps.csv");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--train-subset" -> subset = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("bench --sweeps: unknown option " + args[i]
                            + " (options: --rounds N, --epochs N, --train-subset N, --out FILE)");
                    System.exit(2);
                }
            }
        }
        List<Training> configs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            double p = i / 10.0;
            configs.add(Training.of(Mlp.seedModel().withDropout(p))
                    .sgd(0.1)
                    .epochs(epochs)
                    .progress(false)
                    .label("dropout=" + p));
        }
        DataSpec data = DataSpec.of("mnist").trainSubset(subset);
        List<Backend> backends = new ArrayList<>(List.of(Backend.local(1), Backend.local(2)));
        boolean spark = SweepComparison.sparkInstalled();
        if (spark) {
            backends.add(Backend.spark("local[2]"));
        } else {
            System.out.println("bench --sweeps: Spark backend not installed (run " + Backend.INSTALL_SPARK
                    + "): local backends only");
        }
        System.out.printf(
                Locale.ROOT,
                "bench --sweeps: 8 trials x %d epoch(s) on %s, %d cores, %d rounds; load %s%n",
                epochs,
                data,
                Runtime.getRuntime().availableProcessors(),
                rounds,
                load());
        Table all = null;
        for (int round = 1; round <= rounds; round++) {
            List<Backend> order = new ArrayList<>(backends);
            java.util.Collections.rotate(order, -(round - 1));
            for (Backend b : order) {
                String before = load();
                Table row = SweepComparison.of(data, configs).backends(b).run();
                row.insertColumn(0, IntColumn.create("round", new int[] {round}));
                row.addColumns(
                        StringColumn.create("load_before", List.of(before)),
                        StringColumn.create("load_after", List.of(load())));
                all = all == null ? row : all.append(row);
                System.out.printf(
                        Locale.ROOT,
                        "  round %d  %-16s wall %6.1f s  cpu %6.1f s  winner %s  %s%n",
                        round,
                        b,
                        row.doubleColumn(SweepComparison.WALL_SECONDS).get(0),
                        row.doubleColumn(SweepComparison.CPU_SECONDS).get(0),
                        row.stringColumn(SweepComparison.WINNER).get(0),
                        row.stringColumn("load_after").get(0));
            }
        }
        Clusters.close();
        Table summary = all.summarize(
                        SweepComparison.WALL_SECONDS,
                        SweepComparison.CPU_SECONDS,
                        tech.tablesaw.aggregate.AggregateFunctions.median)
                .by(SweepComparison.BACKEND);
        double wall1 = median(summary, "local:1", SweepComparison.WALL_SECONDS);
        double wall2 = median(summary, "local:2", SweepComparison.WALL_SECONDS);
        double cpu1 = median(summary, "local:1", SweepComparison.CPU_SECONDS);
        double cpu2 = median(summary, "local:2", SweepComparison.CPU_SECONDS);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Table written = all;
        AtomicFiles.write(out, tmp -> written.write().csv(tmp.toString()));
        System.out.println(summary.printAll());
        System.out.printf(
                Locale.ROOT,
                "local:2 vs local:1: %.2fx by wall time (goal 1.7x: %s); %.2fx estimated from "
                        + "CPU time (2 x cpu(local:1) / cpu(local:2))%n",
                wall1 / wall2,
                wall1 / wall2 >= 1.7 ? "met" : "not met",
                2 * cpu1 / cpu2);
        if (spark) {
            double wallS = median(summary, "spark:local[2]", SweepComparison.WALL_SECONDS);
            double cpuS = median(summary, "spark:local[2]", SweepComparison.CPU_SECONDS);
            System.out.printf(
                    Locale.ROOT,
                    "spark:local[2] vs local:2 after start-up: %.2fx the wall time (goal within "
                            + "15%%: %s), %.2fx the CPU time; Spark start-up %.1f s%n",
                    wallS / wall2,
                    wallS / wall2 <= 1.15 ? "met" : "not met",
                    cpuS / cpu2,
                    all.doubleColumn(SweepComparison.STARTUP_SECONDS).max());
        }
        System.out.println("identical results on every backend: "
                + all.booleanColumn(SweepComparison.SAME_RESULTS).countFalse() + " sweep(s) differed; load now "
                + load());
        System.out.println("wrote " + out);
        System.exit(0);
    }

    private static double median(Table summary, String backend, String column) {
        Table row = summary.where(summary.stringColumn(SweepComparison.BACKEND).isEqualTo(backend));
        return ((DoubleColumn) row.column("Median [" + column + "]")).get(0);
    }

    /** The 1, 5 and 15 minute load averages ({@code uptime}). */
    private static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException e) {
            return "n/a";
        }
    }
}
