package dev.dropkit.experiment;

import dev.dropkit.data.DatasetName;
import dev.dropkit.data.ImageData;
import dev.dropkit.data.Normalization;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How to build a data set, as plain data: an installed data set ({@code mnist}, {@code fashion-mnist}) or a folder
 * of IDX files, with the {@link ImageData.Builder} settings. A cluster backend sends it with each trial and every
 * executor builds the data itself ({@link #shared()}: once per JVM, shared read-only by the trials there).
 *
 * @param dataset an installed data set's name, or null when {@code folder} is given
 * @param folder a folder of the four IDX files (it must exist on every executor), or null
 */
public record DataSpec(
        String dataset,
        String folder,
        int trainSubset,
        int testSubset,
        double validation,
        long seed,
        String normalization)
        implements Serializable {
    private static final ConcurrentHashMap<DataSpec, ImageData> SHARED = new ConcurrentHashMap<>();

    public DataSpec {
        if ((dataset == null) == (folder == null)) {
            throw new IllegalArgumentException("a data description needs either a data set name or a folder");
        }
        if (dataset != null) {
            DatasetName.parse(dataset);
        }
        if (trainSubset < 0 || testSubset < 0) {
            throw new IllegalArgumentException(
                    "subset sizes must be 0 (all) or positive, not " + trainSubset + " / " + testSubset);
        }
        if (!(validation >= 0 && validation < 1)) {
            throw new IllegalArgumentException("validation fraction " + validation + " is outside [0, 1): e.g. 0.1");
        }
        Normalization.valueOf(Objects.requireNonNull(normalization, "normalization"));
    }

    /** The installed data set {@code name}, whole, with the default validation split. */
    public static DataSpec of(String name) {
        return new DataSpec(name, null, 0, 0, ImageData.DEFAULT_VALIDATION, 1, Normalization.SCALE.name());
    }

    /** The IDX files in {@code folder}, whole, with the default validation split. */
    public static DataSpec ofFolder(Path folder) {
        return new DataSpec(
                null,
                folder.toAbsolutePath().toString(),
                0,
                0,
                ImageData.DEFAULT_VALIDATION,
                1,
                Normalization.SCALE.name());
    }

    public DataSpec trainSubset(int n) {
        return new DataSpec(dataset, folder, n, testSubset, validation, seed, normalization);
    }

    public DataSpec testSubset(int n) {
        return new DataSpec(dataset, folder, trainSubset, n, validation, seed, normalization);
    }

    public DataSpec validation(double fraction) {
        return new DataSpec(dataset, folder, trainSubset, testSubset, fraction, seed, normalization);
    }

    public DataSpec seed(long s) {
        return new DataSpec(dataset, folder, trainSubset, testSubset, validation, s, normalization);
    }

    /** Builds the data set (the caller closes it). */
    public ImageData load() {
        ImageData.Builder b = dataset != null ? ImageData.builder(dataset) : ImageData.fromFolder(Path.of(folder));
        return b.trainSubset(trainSubset)
                .testSubset(testSubset)
                .validation(validation)
                .seed(seed)
                .normalization(Normalization.valueOf(normalization))
                .build();
    }

    /**
     * The data set, built once per JVM and then shared by every trial that asks for it here (its tensors are only
     * read while training); it lives as long as the JVM (an executor's).
     */
    public ImageData shared() {
        return SHARED.computeIfAbsent(this, DataSpec::load);
    }

    @Override
    public String toString() {
        return (dataset != null ? dataset : folder) + (trainSubset > 0 ? " (" + trainSubset + " training" : " (all")
                + (testSubset > 0 ? ", " + testSubset + " test" : "") + ", validation " + validation + ")";
    }
}
