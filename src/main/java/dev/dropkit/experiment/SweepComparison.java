package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The same sweep on several {@link Backend}s, side by side: wall and CPU seconds, trials per minute, the winner
 * (chosen on validation accuracy) and whether every history row matches the first backend's (timing aside).
 *
 * <pre>{@code
 * Table t = SweepComparison.of(DataSpec.of("mnist"), configs)
 *         .backends(Backend.local(1), Backend.local(2), Backend.spark("local[2]")).run();
 * }</pre>
 *
 * <p>A Spark backend runs in this JVM when the Spark module is on its class path (the CLI, the sweep benchmark);
 * otherwise (a notebook kernel, which never loads Spark) in a child JVM started with the installed Spark jars
 * ({@code target/spark/}, made by {@value Backend#INSTALL_SPARK}), so the caller's memory stays as it was. Spark's
 * start-up is timed apart ({@value #STARTUP_SECONDS}) and a first small sweep warms the executors up; a Spark
 * backend that is not installed gives a row that says so.
 */
public final class SweepComparison {
    public static final String BACKEND = "backend";
    public static final String TRIALS = "trials";
    public static final String WALL_SECONDS = "wall_seconds";
    public static final String CPU_SECONDS = "cpu_seconds";
    public static final String TRIALS_PER_MINUTE = "trials_per_minute";
    public static final String STARTUP_SECONDS = "startup_seconds";
    public static final String WINNER = "winner";
    public static final String SAME_RESULTS = "same_results";
    public static final String NOTE = "note";

    /** What Spark needs on Java 17 (spark-submit adds the same; environment/lib.sh has the CLI's copy). */
    static final List<String> SPARK_JAVA_OPTIONS = List.of(
            "-XX:+IgnoreUnrecognizedVMOptions",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
            "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true");

    private final DataSpec data;
    private final List<TrialSpec> trials;
    private List<Backend> backends = List.of(Backend.local(1), Backend.local());

    private SweepComparison(DataSpec data, List<TrialSpec> trials) {
        this.data = data;
        this.trials = trials;
    }

    /** One trial per configuration (its own label and seed), on the data {@code data} describes. */
    public static SweepComparison of(DataSpec data, List<Training> configs) {
        Objects.requireNonNull(data, "data");
        if (configs == null || configs.isEmpty()) {
            throw new IllegalArgumentException("nothing to compare: give at least one Training");
        }
        return new SweepComparison(data, configs.stream().map(TrialSpec::of).toList());
    }

    /** The backends, in the order they run (default: one slot, then one slot per core). */
    public SweepComparison backends(Backend... backends) {
        if (backends.length == 0) {
            throw new IllegalArgumentException("no backends to compare: give e.g. Backend.local(1), Backend.local(2)");
        }
        this.backends = List.of(backends);
        return this;
    }

    /** Whether the Spark backend can run here: in this JVM, or in a child JVM from the installed jars. */
    public static boolean sparkInstalled() {
        return sparkInProcess() || sparkFolder() != null;
    }

    /** Runs the sweep on every backend in turn; one row per backend (see the class comment). */
    public Table run() {
        Table t = Table.create(
                "sweep on each backend",
                StringColumn.create(BACKEND),
                IntColumn.create(TRIALS),
                DoubleColumn.create(WALL_SECONDS),
                DoubleColumn.create(CPU_SECONDS),
                DoubleColumn.create(TRIALS_PER_MINUTE),
                DoubleColumn.create(STARTUP_SECONDS),
                StringColumn.create(WINNER),
                BooleanColumn.create(SAME_RESULTS),
                StringColumn.create(NOTE));
        Table reference = null;
        for (Backend b : backends) {
            Leg leg;
            if (b instanceof Backend.Spark spark && !sparkInProcess()) {
                leg = sparkFolder() == null ? null : inChild(spark);
            } else {
                leg = here(b, data, trials);
            }
            t.stringColumn(BACKEND).append(b.toString());
            t.intColumn(TRIALS).append(trials.size());
            if (leg == null) {
                t.doubleColumn(WALL_SECONDS).appendMissing();
                t.doubleColumn(CPU_SECONDS).appendMissing();
                t.doubleColumn(TRIALS_PER_MINUTE).appendMissing();
                t.doubleColumn(STARTUP_SECONDS).appendMissing();
                t.stringColumn(WINNER).append("");
                t.booleanColumn(SAME_RESULTS).appendMissing();
                t.stringColumn(NOTE).append("Spark backend not installed: run " + Backend.INSTALL_SPARK);
                continue;
            }
            Table rows = leg.table();
            if (reference == null) {
                reference = rows;
            }
            t.doubleColumn(WALL_SECONDS).append(leg.wall());
            t.doubleColumn(CPU_SECONDS).append(leg.cpu());
            t.doubleColumn(TRIALS_PER_MINUTE).append(60 * trials.size() / leg.wall());
            t.doubleColumn(STARTUP_SECONDS).append(leg.startup());
            t.stringColumn(WINNER).append(RunSummary.of(rows).best());
            t.booleanColumn(SAME_RESULTS).append(untimed(rows).equals(untimed(reference)));
            t.stringColumn(NOTE).append(leg.note());
        }
        return t;
    }

    /** The rows of a sweep as text without the timing columns, for comparison. */
    static String untimed(Table t) {
        Table c = t.copy();
        c.removeColumns(History.SECONDS, History.CUMULATIVE_SECONDS);
        return c.printAll();
    }

    /** One backend's run: its stacked table as CSV text (so that it can come back from a child JVM). */
    record Leg(String csv, List<String> types, double wall, double cpu, double startup, String note)
            implements Serializable {
        Table table() {
            return Table.read()
                    .usingOptions(tech.tablesaw.io.csv.CsvReadOptions.builderFromString(csv)
                            .columnTypes(types.stream()
                                    .map(tech.tablesaw.api.ColumnType::valueOf)
                                    .toArray(tech.tablesaw.api.ColumnType[]::new)));
        }
    }

    private static Leg here(Backend b, DataSpec data, List<TrialSpec> trials) {
        List<Training> configs = trials.stream().map(TrialSpec::training).toList();
        double startup = Double.NaN;
        String note = "";
        if (b instanceof Backend.Spark spark) {
            long t0 = System.nanoTime();
            Clusters.open(spark);
            startup = (System.nanoTime() - t0) / 1e9;
            // A first small sweep: executors load the data and compile the loop before the timed one.
            Sweep.configs(configs.subList(0, 1))
                    .backend(spark)
                    .listener(SweepListener.none())
                    .run(data, c -> c);
            note = "in this JVM";
        }
        // The local backends get the data loaded before the clock starts (as a warmed-up Spark executor has it),
        // shared by their threads, and freed afterwards.
        ImageData loaded = b instanceof Backend.Spark ? null : data.load();
        Table rows;
        double wall;
        double cpu;
        try {
            double cpu0 = processCpuSeconds();
            long t0 = System.nanoTime();
            Sweep<Training> sweep = Sweep.configs(configs).backend(b).listener(SweepListener.none());
            rows = loaded == null ? sweep.run(data, c -> c) : sweep.run(loaded, c -> c);
            wall = (System.nanoTime() - t0) / 1e9;
            cpu = processCpuSeconds() - cpu0;
        } finally {
            if (loaded != null) {
                loaded.close();
            }
        }
        java.io.StringWriter csv = new java.io.StringWriter();
        rows.write().csv(csv);
        List<String> types = rows.columns().stream().map(c -> c.type().name()).toList();
        return new Leg(csv.toString(), new ArrayList<>(types), wall, cpu, startup, note);
    }

    /** CPU seconds of every thread of this JVM so far. */
    static double processCpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    private static boolean sparkInProcess() {
        return java.util.ServiceLoader.load(ClusterProvider.class, Backend.class.getClassLoader())
                .findFirst()
                .isPresent();
    }

    /** {@code target/spark/} next to the toolkit's jar, when the Spark backend is installed there. */
    static Path sparkFolder() {
        try {
            Path jar = Path.of(Backend.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path folder = jar.getParent().resolve("spark");
            return Files.isRegularFile(folder.resolve("dropkit-spark.jar")) && Files.isDirectory(folder.resolve("lib"))
                    ? folder
                    : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** The Spark leg in a child JVM: the toolkit's jars and the installed Spark jars, Spark's Java options. */
    private Leg inChild(Backend.Spark spark) {
        try {
            Path dir = Files.createTempDirectory("dropkit-sweep-comparison");
            try {
                Path request = dir.resolve("request.bin");
                Path answer = dir.resolve("answer.bin");
                try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(request))) {
                    out.writeObject(new ArrayList<>(trials));
                    out.writeObject(data);
                }
                Path jar = Path.of(Backend.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
                Path folder = sparkFolder();
                String cp = String.join(
                        java.io.File.pathSeparator,
                        jar.toString(),
                        jar.getParent().resolve("lib").resolve("*").toString(),
                        folder.resolve("dropkit-spark.jar").toString(),
                        folder.resolve("lib").resolve("*").toString());
                List<String> command = new ArrayList<>();
                command.add(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(SPARK_JAVA_OPTIONS);
                command.addAll(List.of(
                        "-Djava.awt.headless=true",
                        "-cp",
                        cp,
                        SweepComparison.class.getName(),
                        spark.toString(),
                        request.toString(),
                        answer.toString()));
                Process p =
                        new ProcessBuilder(command).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes());
                int status = p.waitFor();
                if (status != 0 || !Files.exists(answer)) {
                    String last = output.strip().lines().reduce((a, b) -> b).orElse("no output");
                    throw new IllegalStateException("the Spark leg failed in its JVM (status " + status + "): " + last);
                }
                try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(answer))) {
                    Leg leg = (Leg) in.readObject();
                    return new Leg(leg.csv(), leg.types(), leg.wall(), leg.cpu(), leg.startup(), "in a child JVM");
                }
            } finally {
                dev.dropkit.AtomicFiles.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("interrupted while the Spark leg ran");
        } catch (ClassNotFoundException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The child JVM: {@code BACKEND REQUEST ANSWER}. */
    public static void main(String[] args) throws Exception {
        Backend b = Backend.parse(args[0]);
        List<TrialSpec> trials;
        DataSpec data;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[1])))) {
            @SuppressWarnings("unchecked")
            List<TrialSpec> read = (List<TrialSpec>) in.readObject();
            trials = read;
            data = (DataSpec) in.readObject();
        }
        Leg leg = here(b, data, trials);
        Path answer = Path.of(args[2]);
        dev.dropkit.AtomicFiles.write(answer, f -> {
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(f))) {
                out.writeObject(leg);
            }
        });
        Clusters.close();
        System.exit(0);
    }
}
