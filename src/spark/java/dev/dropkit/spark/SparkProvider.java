package dev.dropkit.spark;

import dev.dropkit.experiment.Backend;
import dev.dropkit.experiment.ClusterBackend;
import dev.dropkit.experiment.ClusterProvider;

/** The Spark backend, as {@link java.util.ServiceLoader} finds it ({@code META-INF/services}). */
public final class SparkProvider implements ClusterProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public ClusterBackend open(Backend.Spark settings) {
        return SparkTrials.start(settings);
    }
}
