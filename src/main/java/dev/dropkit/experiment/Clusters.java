package dev.dropkit.experiment;

/**
 * The one cluster application of this JVM (Spark allows one context per JVM): opened on first use, kept for later
 * sweeps on the same settings (so that Spark's start-up is paid once), replaced when the settings change, and stopped
 * when the JVM exits or {@link #close()} is called.
 */
public final class Clusters {
    private static Backend.Spark settings;
    private static ClusterBackend open;
    private static boolean hooked;

    private Clusters() {}

    /** The open application for {@code spark}, started (or restarted with these settings) if need be. */
    public static synchronized ClusterBackend open(Backend.Spark spark) {
        if (open != null && !spark.equals(settings)) {
            close();
        }
        if (open == null) {
            open = Backend.open(spark);
            settings = spark;
            if (!hooked) {
                hooked = true;
                Runtime.getRuntime().addShutdownHook(new Thread(Clusters::close, "dropkit-cluster-stop"));
            }
        }
        return open;
    }

    /** Stops the open application, if any. */
    public static synchronized void close() {
        if (open != null) {
            try {
                open.close();
            } finally {
                open = null;
                settings = null;
            }
        }
    }
}
