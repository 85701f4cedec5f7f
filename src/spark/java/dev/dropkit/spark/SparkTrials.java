package dev.dropkit.spark;

import dev.dropkit.experiment.Backend;
import dev.dropkit.experiment.ClusterBackend;
import dev.dropkit.experiment.TrialOutcome;
import dev.dropkit.experiment.TrialTask;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One Spark application that trains sweep trials: each {@link TrialTask} is one Spark job of one task (submitted
 * asynchronously, so the scheduler runs as many at a time as there are task slots), whose result is the trial's
 * {@link TrialOutcome}. Executors build the data themselves from its description and share it between the tasks
 * they run.
 */
final class SparkTrials implements ClusterBackend {
    /** How long a sweep waits for the master before giving up (the bound is 30 s in all). */
    static final int CONNECT_SECONDS = 5;

    static final int START_SECONDS = 20;

    private final JavaSparkContext context;
    private final Backend.Spark settings;

    private SparkTrials(JavaSparkContext context, Backend.Spark settings) {
        this.context = context;
        this.settings = settings;
    }

    static SparkTrials start(Backend.Spark settings) {
        quietLogging();
        String master = settings.master();
        if (master.startsWith("spark://")) {
            checkReachable(master);
        }
        SparkConf conf = new SparkConf()
                .setMaster(master)
                .setAppName("dropkit sweep")
                .set("spark.ui.enabled", String.valueOf(settings.ui()))
                .set("spark.task.cpus", "1")
                .set("spark.executorEnv.DJL_OFFLINE", "true")
                .set("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true")
                .set("spark.scheduler.mode", "FIFO")
                .set("spark.log.level", "WARN");
        if (settings.inProcess()) {
            conf.set("spark.driver.bindAddress", "127.0.0.1").set("spark.driver.host", "localhost");
        } else if (!conf.contains("spark.jars")) { // spark-submit --jars sets it
            // Executors elsewhere get the toolkit, its dependencies (the engine and its native library) and us.
            conf.set("spark.jars", String.join(",", toolkitJars()));
        }
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dropkit-spark-start");
            t.setDaemon(true);
            return t;
        });
        Future<JavaSparkContext> started = starter.submit(() -> new JavaSparkContext(conf));
        try {
            return new SparkTrials(started.get(START_SECONDS, TimeUnit.SECONDS), settings);
        } catch (TimeoutException e) {
            started.cancel(true);
            throw new IllegalArgumentException("Spark master " + master + " did not accept the application within "
                    + START_SECONDS + " s: check the URL and that the cluster has free cores");
        } catch (ExecutionException e) {
            throw new IllegalArgumentException("cannot start Spark on " + master + ": " + oneLine(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while starting Spark on " + master);
        } finally {
            starter.shutdown();
        }
    }

    /** Warnings only from Spark and Hadoop (the toolkit's SLF4J binding is slf4j-simple; Spark's own is left out). */
    private static void quietLogging() {
        for (String logger : List.of("org.apache.spark", "org.apache.hadoop", "org.sparkproject", "io.netty")) {
            System.setProperty("org.slf4j.simpleLogger.log." + logger, "warn");
        }
        // Expected in local mode, not a user problem.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.spark.util.Utils", "error");
    }

    /** A standalone master that does not answer fails here, in seconds, naming its URL. */
    private static void checkReachable(String master) {
        String reason = null;
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            try (Socket s = new Socket()) {
                s.connect(
                        new InetSocketAddress(
                                hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                        CONNECT_SECONDS * 1000);
                return;
            } catch (IOException | RuntimeException e) {
                reason = oneLine(e);
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master " + master + " (" + reason + "): check the "
                + "URL and that the master is running");
    }

    /** The toolkit's jar, the jars beside it in lib/ (its dependencies, with the engine's native library) and ours. */
    private static List<String> toolkitJars() {
        List<String> jars = new ArrayList<>();
        try {
            Path toolkit = Path.of(Backend.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            jars.add(toolkit.toUri().toString());
            jars.add(Path.of(SparkTrials.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toUri()
                    .toString());
            Path lib = toolkit.getParent().resolve("lib");
            if (Files.isDirectory(lib)) {
                try (var files = Files.list(lib)) {
                    files.filter(f -> f.toString().endsWith(".jar"))
                            .sorted()
                            .forEach(f -> jars.add(f.toAbsolutePath().toUri().toString()));
                }
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException("cannot list the toolkit's jars for the executors: " + oneLine(e));
        }
        return jars;
    }

    @Override
    public void run(Supplier<TrialTask> next, int inFlight, Consumer<TrialOutcome> finished) {
        Map<JavaFutureAction<List<TrialOutcome>>, TrialTask> running = new LinkedHashMap<>();
        int ended = 0;
        try {
            while (true) {
                while (running.size() < inFlight) {
                    TrialTask task = next.get();
                    if (task == null) {
                        break;
                    }
                    context.setJobDescription(task.trial().label() + " seed "
                            + task.trial().seed()
                            + (task.job() == null ? "" : " rung " + (task.job().rung() + 1)));
                    running.put(
                            context.parallelize(List.of(task), 1)
                                    .map(SparkTrials::execute)
                                    .collectAsync(),
                            task);
                }
                if (running.isEmpty()) {
                    return;
                }
                Map.Entry<JavaFutureAction<List<TrialOutcome>>, TrialTask> done = null;
                for (Map.Entry<JavaFutureAction<List<TrialOutcome>>, TrialTask> e : running.entrySet()) {
                    if (e.getKey().isDone()) {
                        done = e;
                        break;
                    }
                }
                if (done == null) {
                    Thread.sleep(20);
                    continue;
                }
                running.remove(done.getKey());
                ended++;
                TrialOutcome outcome;
                try {
                    outcome = done.getKey().get().get(0);
                } catch (ExecutionException x) {
                    outcome = TrialOutcome.failed(done.getValue().index(), oneLine(x.getCause()), settings.master());
                }
                finished.accept(outcome); // may hand out more work: next is asked again above
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted: " + running.size() + " tasks still running on "
                    + settings.master() + " were cancelled (" + ended + " had finished)");
        } finally {
            running.keySet().forEach(f -> f.cancel(true));
        }
    }

    /** Runs on an executor. */
    private static TrialOutcome execute(TrialTask task) {
        return task.execute();
    }

    @Override
    public int slots() {
        return context.defaultParallelism();
    }

    @Override
    public void close() {
        context.stop();
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return (e.getClass().getSimpleName() + (m == null ? "" : ": " + m))
                .strip()
                .replaceAll("\\s*\\R\\s*", " ");
    }
}
