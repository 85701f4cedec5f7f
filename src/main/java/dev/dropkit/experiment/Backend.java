package dev.dropkit.experiment;

import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Where a sweep's trials train: {@link Local} (threads of this JVM, the default) or {@link Spark} (tasks of an Apache
 * Spark application, in this JVM with {@code local[N]} or on a cluster). Chosen in code ({@code sweep.backend(...)}),
 * by {@code DROPKIT_BACKEND} ({@link #fromEnvironment()}), or by the CLI's {@code --backend}; {@link #parse} reads
 * the text form {@code local}, {@code local:N}, {@code spark:local[2]}, {@code spark:spark://host:7077}.
 *
 * <p>Spark is not part of the library: its jars and the {@code dropkit-spark} module are found at run time through
 * {@link ServiceLoader} ({@link ClusterProvider}) when, and only when, a Spark backend is opened.
 */
public sealed interface Backend {
    /** The environment variable read by {@link #fromEnvironment()}. */
    String ENVIRONMENT = "DROPKIT_BACKEND";
    /** The command that installs the Spark backend. */
    String INSTALL_SPARK = "./run setup --with-spark";

    /** Trials in {@code parallelism} threads of this JVM at a time, one engine intra-op thread each. */
    record Local(int parallelism) implements Backend {
        public Local {
            checkParallelism(parallelism);
        }

        @Override
        public String toString() {
            return "local:" + parallelism;
        }
    }

    /**
     * Trials as Spark tasks of one application on {@code master} ({@code local[N]}, {@code spark://host:port},
     * {@code yarn}, {@code k8s://https://host:port}); {@code ui}: start Spark's web UI (off by default).
     */
    record Spark(String master, boolean ui) implements Backend {
        private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|[1-9][0-9]*)(,[1-9][0-9]*)?])?");
        private static final Pattern STANDALONE =
                Pattern.compile("spark://[A-Za-z0-9.\\-]+:[0-9]{1,5}(,[A-Za-z0-9.\\-]+:[0-9]{1,5})*");
        private static final Pattern K8S = Pattern.compile("k8s://https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?/?");

        public Spark {
            Objects.requireNonNull(master, "master");
            if (!(LOCAL.matcher(master).matches()
                    || STANDALONE.matcher(master).matches()
                    || K8S.matcher(master).matches()
                    || master.equals("yarn"))) {
                throw new IllegalArgumentException("Spark master URL '" + master + "' is malformed: use local[2], "
                        + "spark://host:7077, yarn or k8s://https://host:443");
            }
        }

        /** Whether the master runs inside this JVM ({@code local[...]}). */
        public boolean inProcess() {
            return master.startsWith("local");
        }

        /** Task slots of a {@code local[N]} master (the cores for {@code local[*]}), else 0 (the cluster decides). */
        public int localSlots() {
            if (!inProcess()) {
                return 0;
            }
            if (master.equals("local")) {
                return 1;
            }
            String n = master.substring(6, master.length() - 1).split(",")[0];
            return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
        }

        @Override
        public String toString() {
            return "spark:" + master;
        }
    }

    /** The local backend with one slot per core. */
    static Local local() {
        return new Local(Runtime.getRuntime().availableProcessors());
    }

    /** The local backend with {@code parallelism} slots. */
    static Local local(int parallelism) {
        return new Local(parallelism);
    }

    /** A Spark backend on {@code master}, web UI off. */
    static Spark spark(String master) {
        return new Spark(master, false);
    }

    /**
     * {@code local} (one slot per core), {@code local:N}, or {@code spark:MASTER} ({@code spark:local[2]},
     * {@code spark:spark://host:7077}); a one-line error names anything else.
     */
    static Backend parse(String text) {
        String t = Objects.requireNonNull(text, "backend").strip();
        if (t.equals("local")) {
            return local();
        }
        if (t.startsWith("local:")) {
            String n = t.substring(6);
            try {
                return local(Integer.parseInt(n));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("backend '" + text + "': '" + n + "' is not a slot count: use "
                        + "e.g. local:2, or local for one slot per core");
            }
        }
        if (t.startsWith("spark:")) {
            return spark(t.substring(6));
        }
        throw new IllegalArgumentException(
                "unknown backend '" + text + "': use local, local:N, spark:local[2] or " + "spark:spark://host:7077");
    }

    /** {@code $DROPKIT_BACKEND} parsed, or {@link #local()} when it is not set. */
    static Backend fromEnvironment() {
        String value = System.getenv(ENVIRONMENT);
        if (value == null || value.isBlank()) {
            return local();
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENVIRONMENT + "=" + value + ": " + e.getMessage());
        }
    }

    /** A slot count: from 1 to 64 times the cores. */
    static int checkParallelism(int parallelism) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (parallelism < 1 || parallelism > 64 * cores) {
            throw new IllegalArgumentException("parallelism " + parallelism + " is outside [1, " + 64 * cores
                    + "]: use the number of trials to run at once, e.g. " + cores + " (the cores)");
        }
        return parallelism;
    }

    /**
     * Opens a cluster backend through the first {@link ClusterProvider} on the class path that handles it.
     *
     * @throws IllegalArgumentException when no provider is installed (naming {@value #INSTALL_SPARK})
     */
    static ClusterBackend open(Spark spark) {
        for (ClusterProvider p : ServiceLoader.load(ClusterProvider.class, Backend.class.getClassLoader())) {
            if (p.name().toLowerCase(Locale.ROOT).equals("spark")) {
                return p.open(spark);
            }
        }
        throw new IllegalArgumentException("backend " + spark + " needs the Spark backend, which is not installed "
                + "(no dropkit-spark on the class path): run " + INSTALL_SPARK + ", then ./run sweep --backend "
                + spark);
    }
}
