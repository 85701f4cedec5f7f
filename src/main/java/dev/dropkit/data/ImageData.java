package dev.dropkit.data;

import ai.djl.basicdataset.cv.classification.FashionMnist;
import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.Repository;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import dev.dropkit.Env;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * An image classification data set held in memory as four tensors, so that a training step slices a batch
 * instead of stacking records: {@code trainX} (N, 784) float32, {@code trainY} (N) int64, and the same for test.
 *
 * <pre>{@code
 * var mnist = ImageData.load("mnist");                     // the whole set, x / 255
 * var quick = ImageData.builder("fashion-mnist").trainSubset(2000).testSubset(1000).build();
 * }</pre>
 */
public final class ImageData implements AutoCloseable {
    private final String name;
    private final NDManager manager;
    private final NDArray trainX;
    private final NDArray trainY;
    private final NDArray testX;
    private final NDArray testY;
    private FeatureScaling scaling = FeatureScaling.NONE;
    private List<String> classNames;

    private ImageData(String name, NDManager manager, NDArray[] arrays) {
        this.name = name;
        this.manager = manager;
        this.trainX = arrays[0];
        this.trainY = arrays[1];
        this.testX = arrays[2];
        this.testY = arrays[3];
    }

    /**
     * A data set of tensors already built in {@code manager}: x (N, features) float32 already scaled by
     * {@code scaling}, y (N) int64 class indices; {@code classNames} null for classes named 0, 1, ... (used by
     * {@link DataSets}).
     */
    static ImageData of(String name, NDManager manager, NDArray[] arrays, FeatureScaling scaling,
            List<String> classNames) {
        ImageData data = new ImageData(name, manager, arrays);
        data.scaling = scaling;
        data.classNames = classNames == null ? null : List.copyOf(classNames);
        return data;
    }

    /** Loads a known data set ("mnist" or "fashion-mnist") from the installed data folder, whole, scaled x/255. */
    public static ImageData load(String name) {
        return builder(name).build();
    }

    public static Builder builder(String name) {
        return new Builder(DatasetName.parse(name));
    }

    /** A folder of the four IDX files (train_data, train_labels, test_data, test_labels) of MNIST's format. */
    public static Builder fromFolder(Path dir) {
        return new Builder(dir);
    }

    public String name() {
        return name;
    }

    public NDArray trainX() {
        return trainX;
    }

    public NDArray trainY() {
        return trainY;
    }

    public NDArray testX() {
        return testX;
    }

    public NDArray testY() {
        return testY;
    }

    public int trainSize() {
        return Math.toIntExact(trainX.getShape().get(0));
    }

    public int testSize() {
        return Math.toIntExact(testX.getShape().get(0));
    }

    public int features() {
        return Math.toIntExact(trainX.getShape().get(1));
    }

    /** How the raw feature values were scaled into {@link #trainX()} and {@link #testX()}. */
    public FeatureScaling scaling() {
        return scaling;
    }

    /** The number of classes: the named classes, else the largest label + 1. */
    public int classes() {
        if (classNames == null) {
            long max = Math.max(trainSize() == 0 ? 0 : trainY.max().getLong(), testSize() == 0 ? 0
                    : testY.max().getLong());
            classNames = java.util.stream.LongStream.rangeClosed(0, Math.max(1, max)).mapToObj(String::valueOf)
                    .toList();
        }
        return classNames.size();
    }

    /** The name of each class, by label: the CSV file's or table's label values, or "0", "1", ... */
    public List<String> classNames() {
        classes();
        return classNames;
    }

    /** The manager that owns the tensors; close this data set to free them. */
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return String.format("%s: %,d training and %,d test images of %d features", name, trainSize(), testSize(),
                features());
    }

    public static final class Builder {
        private final DatasetName known;
        private final Path folder;
        private Path dataDir;
        private Normalization normalization = Normalization.SCALE;
        private int trainSubset;
        private int testSubset;
        private long seed = 1;

        private Builder(DatasetName known) {
            this.known = known;
            this.folder = null;
        }

        private Builder(Path folder) {
            this.known = null;
            this.folder = folder;
        }

        /** Where the installed data sets live (default {@code $DROPKIT_DATA}). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        public Builder normalization(Normalization normalization) {
            this.normalization = normalization;
            return this;
        }

        /** Keeps a random subset of this many training examples (0 = all); for quick runs. */
        public Builder trainSubset(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("train subset " + n + " is negative: use 0 for all or a size");
            }
            this.trainSubset = n;
            return this;
        }

        /** Keeps a random subset of this many test examples (0 = all). */
        public Builder testSubset(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("test subset " + n + " is negative: use 0 for all or a size");
            }
            this.testSubset = n;
            return this;
        }

        /** Seed of the subset draw. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public ImageData build() {
            Path dir = folder != null ? folder : (dataDir != null ? dataDir : Env.dataDir()).resolve(known.id());
            String hint = known != null
                    ? "run ./run setup (it fetches " + known + " from the " + known.source() + ")"
                    : "point it at a folder with the four uncompressed IDX files train_data, train_labels, "
                            + "test_data, test_labels";
            int[] counts = IdxFiles.verify(dir, known, hint);
            String label = known != null ? known.id() : dir.getFileName().toString();
            NDManager manager = Env.engine().newBaseManager();
            try {
                NDArray[] train = read(manager, dir, Dataset.Usage.TRAIN, counts[0], trainSubset, seed);
                NDArray[] test = read(manager, dir, Dataset.Usage.TEST, counts[1], testSubset, seed + 1);
                FeatureScaling scaling = normalize(train[0], test[0]);
                ImageData data = new ImageData(label, manager, new NDArray[] {train[0], train[1], test[0], test[1]});
                data.scaling = scaling;
                data.classNames = known != null ? known.classNames() : null;
                return data;
            } catch (IOException | TranslateException | RuntimeException e) {
                manager.close();
                if (e instanceof DataException de) {
                    throw de;
                }
                throw new DataException("cannot load " + dir + " (" + e.getMessage() + "): " + hint);
            }
        }

        /** Reads one split with DJL's MNIST loader (Fashion-MNIST shares the format) from a local repository. */
        private NDArray[] read(NDManager manager, Path dir, Dataset.Usage usage, int count, int subset, long seed)
                throws IOException, TranslateException {
            // The loader's full-size arrays live in a temporary manager, freed once we hold our (N, 784) copies.
            try (NDManager tmp = manager.newSubManager()) {
                Repository repository = Repository.newInstance("dropkit-" + dir.getFileName(), dir);
                ArrayDataset dataset = known == DatasetName.FASHION_MNIST
                        ? FashionMnist.builder().optManager(tmp).optRepository(repository).optUsage(usage)
                                .setSampling(count, false).build()
                        : Mnist.builder().optManager(tmp).optRepository(repository).optUsage(usage)
                                .setSampling(count, false).build();
                dataset.prepare();
                Batch batch = subset > 0 && subset < count
                        ? dataset.getByIndices(tmp, sample(count, subset, seed))
                        : dataset.getByRange(tmp, 0, count);
                NDArray x = batch.getData().head().reshape(-1, 28 * 28).div(255f);
                NDArray y = batch.getLabels().head().toType(DataType.INT64, false);
                x.attach(manager);
                y.attach(manager);
                return new NDArray[] {x, y};
            }
        }

        private FeatureScaling normalize(NDArray trainX, NDArray testX) {
            if (normalization != Normalization.STANDARDIZE) {
                return FeatureScaling.uniform(0, 255);
            }
            {
                try (NDManager tmp = trainX.getManager().newSubManager()) {
                    NDArray mean = trainX.mean();
                    NDArray square = trainX.square();
                    mean.attach(tmp);
                    square.attach(tmp);
                    float m = mean.getFloat();
                    NDArray meanSquare = square.mean();
                    meanSquare.attach(tmp);
                    float std = (float) Math.sqrt(meanSquare.getFloat() - m * m);
                    trainX.subi(m).divi(std);
                    testX.subi(m).divi(std);
                    return FeatureScaling.uniform(255 * m, 255 * std); // (x / 255 - m) / std
                }
            }
        }

        /** A seeded draw of {@code n} of {@code count} indices without replacement, in ascending order. */
        static long[] sample(int count, int n, long seed) {
            int[] idx = new int[count];
            for (int i = 0; i < count; i++) {
                idx[i] = i;
            }
            Random random = new Random(seed);
            for (int i = 0; i < n; i++) {
                int j = i + random.nextInt(count - i);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
            return java.util.Arrays.stream(idx, 0, n).sorted().asLongStream().toArray();
        }
    }
}
