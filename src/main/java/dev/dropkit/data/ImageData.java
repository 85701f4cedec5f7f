package dev.dropkit.data;

import ai.djl.basicdataset.cv.classification.FashionMnist;
import ai.djl.basicdataset.cv.classification.Mnist;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.Repository;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import dev.dropkit.Env;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * An image classification data set held in memory as four tensors, so that a training step slices a batch
 * instead of stacking records: {@code trainX} (N, 784) float32, {@code trainY} (N) int64, and the same for the
 * validation and test sets.
 *
 * <p>The validation set is a seeded random part of the training images held out from training (default
 * {@value #DEFAULT_VALIDATION} of them): choices (a rate, a schedule, when to stop) are made on it, and the test set
 * is kept for reporting the chosen configuration once. With {@code trainSubset(n)} the subset is drawn first and the
 * validation set is then held out of those n images, so {@code trainSize() + valSize() == n}.
 *
 * <pre>{@code
 * var mnist = ImageData.load("mnist");                     // x / 255; 54,000 training, 6,000 validation images
 * var quick = ImageData.builder("fashion-mnist").trainSubset(2000).testSubset(1000).build();
 * var all = ImageData.builder("mnist").validation(0).build();   // no validation set: train on all 60,000
 * }</pre>
 */
public final class ImageData implements AutoCloseable {
    /** The fraction of the training images held out for validation unless the builder says otherwise. */
    public static final double DEFAULT_VALIDATION = 0.1;

    private final String name;
    private final NDManager manager;
    private final NDArray trainX;
    private final NDArray trainY;
    private final NDArray valX; // null when there is no validation set
    private final NDArray valY;
    private final NDArray testX;
    private final NDArray testY;
    private final FeatureScaling scaling;
    private List<String> classNames; // null: named 0, 1, ... on first use

    private ImageData(
            String name, NDManager manager, NDArray[] arrays, FeatureScaling scaling, List<String> classNames) {
        this.name = name;
        this.manager = manager;
        this.trainX = arrays[0];
        this.trainY = arrays[1];
        this.valX = arrays[2];
        this.valY = arrays[3];
        this.testX = arrays[4];
        this.testY = arrays[5];
        this.scaling = scaling;
        this.classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /**
     * The one way every source builds a data set: holds out {@code validation} (in [0, 1)) of the training examples,
     * drawn with {@code seed}, as the validation set, then normalises all three sets with statistics of the remaining
     * training examples. Takes ownership of {@code manager} and the four tensors (features (N, F) float32, labels
     * (N) int64); on failure it closes the manager. {@code scaling} says how raw feature values became the given
     * tensors (kept with saved models); standardisation here is composed onto it. {@code classNames} null: classes
     * are named 0, 1, ...
     */
    static ImageData of(
            String name,
            NDManager manager,
            NDArray trainX,
            NDArray trainY,
            NDArray testX,
            NDArray testY,
            double validation,
            long seed,
            Normalization normalization,
            FeatureScaling scaling,
            List<String> classNames) {
        try {
            checkValidation(validation);
            int n = Math.toIntExact(trainX.getShape().get(0));
            int held = (int) Math.round(validation * n);
            NDArray[] arrays = {trainX, trainY, null, null, testX, testY};
            if (validation > 0) {
                long[] labels = trainY.toLongArray();
                long classes = java.util.Arrays.stream(labels).distinct().count();
                if (held < classes) {
                    throw new IllegalArgumentException(String.format(
                            java.util.Locale.ROOT,
                            "a validation fraction of %s of %s's %,d training images holds %d images, too few for one "
                                    + "image of each of its %d classes: raise the fraction to at least %.3f or use "
                                    + "more training images",
                            validation,
                            name,
                            n,
                            held,
                            classes,
                            Math.ceil(1000.0 * (classes - 0.5) / n) / 1000));
                }
                if (held >= n) {
                    throw new IllegalArgumentException("a validation fraction of " + validation + " of " + name + "'s "
                            + n + " training images leaves none to train on: lower the fraction (e.g. 0.1)");
                }
                long[][] parts = split(n, held, seed);
                NDArray valIndex = manager.create(parts[0]);
                NDArray trainIndex = manager.create(parts[1]);
                arrays[0] = trainX.get(new NDIndex("{}", trainIndex));
                arrays[1] = trainY.get(new NDIndex("{}", trainIndex));
                arrays[2] = trainX.get(new NDIndex("{}", valIndex));
                arrays[3] = trainY.get(new NDIndex("{}", valIndex));
                for (NDArray a : new NDArray[] {trainX, trainY, valIndex, trainIndex}) {
                    a.close();
                }
            }
            FeatureScaling scaled = normalize(normalization, scaling, arrays[0], arrays[2], arrays[4]);
            return new ImageData(name, manager, arrays, scaled, classNames);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@code fraction} if it is a validation fraction in [0, 1); otherwise a one-line error naming the fix. */
    static double checkValidation(double fraction) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction " + fraction + " is outside [0, 1): give the "
                    + "share of training images to hold out, e.g. 0.1, or 0 for no validation set");
        }
        return fraction;
    }

    /** A seeded split of 0..n-1 into {@code held} validation indices and the rest, each in ascending order. */
    static long[][] split(int n, int held, long seed) {
        long[] order = draw(n, n, seed);
        long[] val = java.util.Arrays.copyOfRange(order, 0, held);
        long[] train = java.util.Arrays.copyOfRange(order, held, n);
        java.util.Arrays.sort(val);
        java.util.Arrays.sort(train);
        return new long[][] {val, train};
    }

    /** The first {@code k} of a seeded random permutation of 0..count-1 (the JDK's Fisher–Yates shuffle). */
    static long[] draw(int count, int k, long seed) {
        List<Long> all = new ArrayList<>(count);
        for (long i = 0; i < count; i++) {
            all.add(i);
        }
        Collections.shuffle(all, new Random(seed));
        return all.subList(0, k).stream().mapToLong(Long::longValue).toArray();
    }

    /** Standardises in place with the training images' mean and deviation; returns the raw-to-input scaling. */
    private static FeatureScaling normalize(
            Normalization normalization, FeatureScaling scaling, NDArray trainX, NDArray valX, NDArray testX) {
        if (normalization == Normalization.STANDARDIZE) {
            try (NDManager tmp = trainX.getManager().newSubManager()) {
                NDArray mean = trainX.mean();
                NDArray square = trainX.square();
                mean.attach(tmp);
                square.attach(tmp);
                float m = mean.getFloat();
                NDArray meanSquare = square.mean();
                meanSquare.attach(tmp);
                float std = (float) Math.sqrt(meanSquare.getFloat() - m * m);
                for (NDArray x : new NDArray[] {trainX, valX, testX}) {
                    if (x != null) {
                        x.subi(m).divi(std);
                    }
                }
                return scaling.then(m, std);
            }
        }
        return scaling;
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

    /** Whether a validation set was held out (see {@link Builder#validation}). */
    public boolean hasValidation() {
        return valX != null;
    }

    /** The validation features; fails in one line when the data set has none. */
    public NDArray valX() {
        return checkedValidation(valX);
    }

    public NDArray valY() {
        return checkedValidation(valY);
    }

    /** Number of validation examples (0 without a validation set). */
    public int valSize() {
        return valX == null ? 0 : Math.toIntExact(valX.getShape().get(0));
    }

    private NDArray checkedValidation(NDArray a) {
        if (a == null) {
            throw new IllegalStateException(name + " has no validation set: build it with .validation(0.1) to hold "
                    + "out 10% of the training images");
        }
        return a;
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

    /** How the raw feature values were scaled into the tensors (applied again to new inputs of a saved model). */
    public FeatureScaling scaling() {
        return scaling;
    }

    /** The number of classes: the named classes, else the largest label + 1. */
    public int classes() {
        return classNames().size();
    }

    /** The name of each class, by label: the CSV file's or table's label values, or "0", "1", ... */
    public synchronized List<String> classNames() {
        if (classNames == null) {
            long max = Math.max(
                    trainY.max().getLong(), testSize() == 0 ? 0 : testY.max().getLong());
            classNames = java.util.stream.LongStream.rangeClosed(0, Math.max(1, max))
                    .mapToObj(String::valueOf)
                    .toList();
        }
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
        return String.format(
                "%s: %,d training, %,d validation and %,d test images of %d features",
                name, trainSize(), valSize(), testSize(), features());
    }

    public static final class Builder {
        private final DatasetName known;
        private final Path folder;
        private Path dataDir;
        private Normalization normalization = Normalization.SCALE;
        private int trainSubset;
        private int testSubset;
        private double validation = DEFAULT_VALIDATION;
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

        /**
         * The fraction of the training images (after {@link #trainSubset}) held out as the validation set, in [0, 1);
         * 0 for none. Default {@value ImageData#DEFAULT_VALIDATION}.
         */
        public Builder validation(double fraction) {
            this.validation = checkValidation(fraction);
            return this;
        }

        /** Seed of the subset draws and of the validation split. */
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
            NDArray[] train;
            NDArray[] test;
            try {
                train = read(manager, dir, Dataset.Usage.TRAIN, counts[0], trainSubset, seed);
                test = read(manager, dir, Dataset.Usage.TEST, counts[1], testSubset, seed + 1);
            } catch (IOException | TranslateException | RuntimeException e) {
                manager.close();
                if (e instanceof DataException de) {
                    throw de;
                }
                throw new DataException("cannot load " + dir + " (" + e.getMessage() + "): " + hint);
            }
            return of(
                    label,
                    manager,
                    train[0],
                    train[1],
                    test[0],
                    test[1],
                    validation,
                    seed + 2,
                    normalization,
                    FeatureScaling.uniform(0, 255),
                    known != null ? known.classNames() : null);
        }

        /** Reads one split with DJL's MNIST loader (Fashion-MNIST shares the format) from a local repository. */
        private NDArray[] read(NDManager manager, Path dir, Dataset.Usage usage, int count, int subset, long seed)
                throws IOException, TranslateException {
            // The loader's full-size arrays live in a temporary manager, freed once we hold our (N, 784) copies.
            try (NDManager tmp = manager.newSubManager()) {
                Repository repository = Repository.newInstance("dropkit-" + dir.getFileName(), dir);
                ArrayDataset dataset = known == DatasetName.FASHION_MNIST
                        ? FashionMnist.builder()
                                .optManager(tmp)
                                .optRepository(repository)
                                .optUsage(usage)
                                .setSampling(count, false)
                                .build()
                        : Mnist.builder()
                                .optManager(tmp)
                                .optRepository(repository)
                                .optUsage(usage)
                                .setSampling(count, false)
                                .build();
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

        /** A seeded draw of {@code n} of {@code count} indices without replacement, in ascending order. */
        static long[] sample(int count, int n, long seed) {
            long[] idx = draw(count, n, seed);
            java.util.Arrays.sort(idx);
            return idx;
        }
    }
}
