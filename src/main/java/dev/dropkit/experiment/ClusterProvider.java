package dev.dropkit.experiment;

/**
 * A service that opens a {@link ClusterBackend}: implemented outside the library (the {@code dropkit-spark} module,
 * listed in its {@code META-INF/services/dev.dropkit.experiment.ClusterProvider}) and found by
 * {@link Backend#open(Backend.Spark)} through {@link java.util.ServiceLoader}, so that the library never loads Spark
 * unless a Spark backend is chosen.
 */
public interface ClusterProvider {
    /** The backend kind this provider opens, e.g. {@code spark}. */
    String name();

    /**
     * Starts (or connects to) the cluster application; fails within 30 s, naming the master, when it cannot be
     * reached.
     */
    ClusterBackend open(Backend.Spark settings);
}
