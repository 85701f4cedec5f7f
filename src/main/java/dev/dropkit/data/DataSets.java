package dev.dropkit.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dropkit.Env;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The user's own data as an {@link ImageData} (any number of features and classes): from arrays, from a Tablesaw
 * {@link Table} (feature columns and a label column) or from a CSV file. A seeded draw holds out a test share;
 * features are standardised per column with the training rows' mean and standard deviation (the model keeps that
 * scaling, so it predicts from raw values).
 *
 * <pre>{@code
 * ImageData own = DataSets.fromCsv(Path.of("flowers.csv"), "species").testFraction(0.2).build();
 * ImageData xs = DataSets.fromArrays(features, labels).build();
 * Mlp model = Mlp.builder().inputs(own.features()).hidden(64, 0.2).outputs(own.classes()).build();
 * }</pre>
 *
 * <p>Bad input gets a one-line {@link DataException} that names the row and the column: an empty file, a missing
 * label column, a feature that is not a number, a row of another width, a single class.
 */
public final class DataSets {
    private DataSets() {}

    /** Rows of features and their class labels (0, 1, ...); row {@code i} of {@code x} has label {@code y[i]}. */
    public static Builder fromArrays(float[][] x, int[] y) {
        if (x.length != y.length) {
            throw new DataException("the arrays hold " + x.length + " rows of features but " + y.length
                    + " labels: give one label per row");
        }
        Rows rows = new Rows("arrays", "row ", 0);
        for (int i = 0; i < x.length; i++) {
            if (y[i] < 0) {
                throw new DataException("row " + i + " has label " + y[i] + ": labels are class numbers 0, 1, 2, ...");
            }
            rows.add(x[i], y[i]);
        }
        rows.classNames = null;
        return new Builder(rows);
    }

    /**
     * Every column but {@code labelColumn} is a feature and must hold numbers; the label column holds class numbers
     * (0, 1, ...) or names (text, sorted to numbers alphabetically).
     */
    public static Builder fromTable(Table table, String labelColumn) {
        return new Builder(
                rows(table, labelColumn, table.name() == null ? "the table" : "table " + table.name(), "row ", 0));
    }

    /** A CSV file with a header line of column names; as {@link #fromTable}. Errors name the file's line. */
    public static Builder fromCsv(Path file, String labelColumn) {
        Table table = Csv.read(file);
        return new Builder(rows(table, labelColumn, file.toString(), "line ", 2));
    }

    private static Rows rows(Table table, String label, String source, String rowNoun, int firstRow) {
        if (!table.columnNames().contains(label)) {
            throw new DataException(source + " has no label column '" + label + "': its columns are "
                    + table.columnNames() + "; name the one that holds the classes");
        }
        if (table.rowCount() == 0) {
            throw new DataException(source + " has no rows: give one row per example");
        }
        if (table.columnCount() < 2) {
            throw new DataException(
                    source + " has only the label column '" + label + "': give at least one feature column");
        }
        List<NumericColumn<?>> features = new ArrayList<>();
        for (Column<?> c : table.columns()) {
            if (c.name().equals(label)) {
                continue;
            }
            if (!(c instanceof NumericColumn<?> n)) {
                int bad = firstNonNumber(c);
                throw new DataException(source + ": " + rowNoun + (bad + firstRow) + ", column '" + c.name()
                        + "' holds '" + c.getString(bad) + "', not a number: features must be numbers (drop or encode "
                        + "that column)");
            }
            features.add(n);
        }
        Column<?> labels = table.column(label);
        Rows rows = new Rows(source, rowNoun, firstRow);
        List<String> names = null;
        if (!(labels instanceof NumericColumn<?>)) {
            TreeSet<String> distinct = new TreeSet<>();
            for (int i = 0; i < labels.size(); i++) {
                if (!labels.isMissing(i)) {
                    distinct.add(labels.getString(i));
                }
            }
            names = new ArrayList<>(distinct);
        }
        for (int i = 0; i < table.rowCount(); i++) {
            if (labels.isMissing(i)) {
                throw new DataException(source + ": " + rowNoun + (i + firstRow) + " has no value in the label column '"
                        + label + "': every example needs its class");
            }
            int y;
            if (names != null) {
                y = java.util.Collections.binarySearch(names, labels.getString(i));
            } else {
                double v = ((NumericColumn<?>) labels).getDouble(i);
                if (v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                    throw new DataException(source + ": " + rowNoun + (i + firstRow) + ", label column '" + label
                            + "' holds " + labels.getString(i) + ": numeric labels are class numbers 0, 1, 2, ...");
                }
                y = (int) v;
            }
            float[] x = new float[features.size()];
            for (int j = 0; j < x.length; j++) {
                NumericColumn<?> c = features.get(j);
                if (c.isMissing(i)) {
                    throw new DataException(source + ": " + rowNoun + (i + firstRow) + ", column '" + c.name()
                            + "' is empty: every feature needs a number (fill or drop the row)");
                }
                x[j] = (float) c.getDouble(i);
            }
            rows.add(x, y);
        }
        rows.classNames = names;
        return rows;
    }

    private static int firstNonNumber(Column<?> c) {
        for (int i = 0; i < c.size(); i++) {
            String s = c.getString(i);
            if (!s.isEmpty()) {
                try {
                    Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    return i;
                }
            }
        }
        return 0;
    }

    /** The examples read so far, with where they came from (for messages). */
    private static final class Rows {
        final String source;
        final String rowNoun;
        final int firstRow;
        final List<float[]> x = new ArrayList<>();
        final List<Integer> y = new ArrayList<>();
        List<String> classNames;

        Rows(String source, String rowNoun, int firstRow) {
            this.source = source;
            this.rowNoun = rowNoun;
            this.firstRow = firstRow;
        }

        void add(float[] features, int label) {
            if (!x.isEmpty() && features.length != x.get(0).length) {
                throw new DataException(source + ": " + rowNoun + (x.size() + firstRow) + " has " + features.length
                        + " features but " + rowNoun + firstRow + " has " + x.get(0).length
                        + ": every row needs the same number of values");
            }
            if (features.length == 0) {
                throw new DataException(source + ": " + rowNoun + (x.size() + firstRow) + " has no features");
            }
            x.add(features);
            y.add(label);
        }
    }

    /** Options of the split and scaling; {@link #build} makes the tensors. */
    public static final class Builder {
        private final Rows rows;
        private String name;
        private double testFraction = 0.2;
        private double validation = ImageData.DEFAULT_VALIDATION;
        private long seed = 1;
        private boolean standardize = true;
        private FeatureScaling scaling;
        private List<String> knownClasses;

        private Builder(Rows rows) {
            this.rows = rows;
        }

        /** The data set's name in tables and messages (default: the file's name, or "arrays"/the table's name). */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** The share of rows held out as test data, in (0, 1] (1: all rows are test data, to evaluate a model). */
        public Builder testFraction(double fraction) {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("test fraction " + fraction + " is outside (0, 1]: try 0.2");
            }
            this.testFraction = fraction;
            return this;
        }

        /**
         * The share of the training rows held out as the validation set, in [0, 1) (default 0.1; 0 for none), drawn
         * as {@link ImageData.Builder#validation} draws it.
         */
        public Builder validation(double fraction) {
            this.validation = ImageData.checkValidation(fraction);
            return this;
        }

        /** Seed of the train/test draw and of the validation split. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to standardise each feature with the training rows' mean and deviation (default true). */
        public Builder standardize(boolean standardize) {
            this.standardize = standardize;
            return this;
        }

        /** Scale features this way instead (e.g. a trained model's {@code scaling()}, to evaluate it). */
        public Builder scaling(FeatureScaling scaling) {
            this.scaling = scaling;
            return this;
        }

        /**
         * Numbers the classes as {@code names} does (e.g. a trained model's {@code classNames()}, to evaluate it on
         * a file that may lack some classes); a label not among them is an error naming its row.
         */
        public Builder classNames(List<String> names) {
            this.knownClasses = List.copyOf(names);
            return this;
        }

        public ImageData build() {
            if (knownClasses != null) {
                for (int i = 0; i < rows.y.size(); i++) {
                    int y = rows.y.get(i);
                    String label = rows.classNames != null ? rows.classNames.get(y) : String.valueOf(y);
                    int mapped = knownClasses.indexOf(label);
                    if (mapped < 0) {
                        throw new DataException(rows.source + ": " + rows.rowNoun + (i + rows.firstRow) + " has class '"
                                + label + "', which is not one of " + knownClasses
                                + ": give examples of those classes");
                    }
                    rows.y.set(i, mapped);
                }
                rows.classNames = knownClasses;
            }
            int n = rows.x.size();
            if (n == 0) {
                throw new DataException(rows.source + " has no rows: give one row per example");
            }
            int features = rows.x.get(0).length;
            int classes = rows.classNames != null
                    ? rows.classNames.size()
                    : rows.y.stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
            long distinct = rows.y.stream().distinct().count();
            if (distinct < 2 && testFraction < 1) {
                String only =
                        rows.classNames != null ? rows.classNames.get(rows.y.get(0)) : String.valueOf(rows.y.get(0));
                throw new DataException(rows.source + " holds one class only ('" + only + "'): a classifier needs "
                        + "examples of at least two classes");
            }
            int testCount = testFraction >= 1 ? n : (int) Math.round(n * testFraction);
            testCount = Math.max(1, Math.min(n - (testFraction >= 1 ? 0 : 1), testCount));
            long[] order = ImageData.draw(n, n, seed);
            int trainCount = n - testCount;
            float[][] trainX = new float[trainCount][];
            float[][] testX = new float[testCount][];
            long[] trainY = new long[trainCount];
            long[] testY = new long[testCount];
            // The draw keeps the file's order within each split (stable, easy to compare with the source).
            int[] testRows = java.util.Arrays.stream(order, 0, testCount)
                    .sorted()
                    .mapToInt(Math::toIntExact)
                    .toArray();
            int[] trainRows = java.util.Arrays.stream(order, testCount, n)
                    .sorted()
                    .mapToInt(Math::toIntExact)
                    .toArray();
            for (int i = 0; i < trainCount; i++) {
                trainX[i] = rows.x.get(trainRows[i]);
                trainY[i] = rows.y.get(trainRows[i]);
            }
            for (int i = 0; i < testCount; i++) {
                testX[i] = rows.x.get(testRows[i]);
                testY[i] = rows.y.get(testRows[i]);
            }
            double heldOut = trainCount > 1 ? validation : 0;
            FeatureScaling s = scaling != null
                    ? scaling
                    : standardize && trainCount > 0
                            ? FeatureScaling.standardize(fittingRows(trainX, heldOut))
                            : FeatureScaling.NONE;
            if (!s.fits(features)) {
                throw new DataException(rows.source + " has " + features + " features but the scaling given is for "
                        + s.offset().length + ": give data as wide as the model's training data");
            }
            List<String> names = rows.classNames;
            if (names == null) {
                names = new ArrayList<>();
                for (int c = 0; c < Math.max(2, classes); c++) {
                    names.add(String.valueOf(c));
                }
            }
            String label = name != null ? name : sourceName(rows.source);
            NDManager manager = Env.engine().newBaseManager();
            try {
                NDArray[] arrays = {
                    tensor(manager, trainX, features, s),
                    manager.create(trainY),
                    tensor(manager, testX, features, s),
                    manager.create(testY)
                };
                return ImageData.of(
                        label,
                        manager,
                        arrays[0],
                        arrays[1],
                        arrays[2],
                        arrays[3],
                        heldOut,
                        seed + 2,
                        Normalization.SCALE,
                        s,
                        names); // rows come scaled by s; SCALE adds nothing
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
        }

        /**
         * The training rows that stay after the validation split ({@link ImageData#split}, with the seed
         * {@link ImageData#of} is given): scaling statistics must not see the validation rows.
         */
        private float[][] fittingRows(float[][] trainX, double heldOut) {
            int held = (int) Math.round(heldOut * trainX.length);
            if (held == 0 || held >= trainX.length) {
                return trainX;
            }
            long[] keep = ImageData.split(trainX.length, held, seed + 2)[1];
            return java.util.Arrays.stream(keep).mapToObj(i -> trainX[(int) i]).toArray(float[][]::new);
        }

        private static NDArray tensor(NDManager manager, float[][] rows, int features, FeatureScaling s) {
            float[] flat = new float[rows.length * features];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(s.apply(rows[i]), 0, flat, i * features, features);
            }
            return manager.create(flat, new Shape(rows.length, features));
        }

        private static String sourceName(String source) {
            String file = Path.of(source).getFileName() == null
                    ? source
                    : Path.of(source).getFileName().toString();
            return file.replaceFirst("\\.csv$", "");
        }
    }
}
