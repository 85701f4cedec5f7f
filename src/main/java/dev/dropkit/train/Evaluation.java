package dev.dropkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.dropkit.plot.HeatMap;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * How a {@link TrainedModel} does on labelled examples: accuracy, mean cross-entropy loss, accuracy per class and
 * the confusion matrix (rows: true class, columns: predicted class), as tables and a chart.
 */
public final class Evaluation {
    /** Column names of {@link #perClass()} and the first column of {@link #confusionMatrix()}. */
    public static final String CLASS = "class";

    public static final String EXAMPLES = "examples";
    public static final String ACCURACY = "accuracy";
    public static final String TRUE_CLASS = "true class";

    private final String data;
    private final List<String> classNames;
    private final long[][] counts;
    private final long examples;
    private final double loss;

    private Evaluation(String data, List<String> classNames, long[][] counts, long examples, double loss) {
        this.data = data;
        this.classNames = classNames;
        this.counts = counts;
        this.examples = examples;
        this.loss = loss;
    }

    /** Evaluates in inference mode (dropout off), in chunks of 4096 examples to bound memory. */
    static Evaluation of(TrainedModel model, String data, NDArray x, NDArray y) {
        int k = model.mlp().outputs();
        long n = x.getShape().get(0);
        long maxLabel = n == 0 ? 0 : y.max().getLong();
        if (maxLabel >= k) {
            throw new IllegalArgumentException(data + " has label " + maxLabel + " but the model knows " + k
                    + " classes: evaluate it on data with the classes it was trained on");
        }
        long[][] counts = new long[k][k];
        double lossSum = 0;
        for (long from = 0; from < n; from += 4096) {
            try (NDManager chunk = x.getManager().newSubManager()) {
                NDIndex range = new NDIndex().addSliceDim(from, Math.min(n, from + 4096));
                NDArray xs = x.get(chunk, range);
                NDArray ys = y.get(chunk, range).toType(DataType.INT64, false);
                NDArray logits = model.logits(xs);
                logits.attach(chunk);
                NDArray logProbabilities = logits.logSoftmax(1);
                lossSum -= logProbabilities.mul(ys.oneHot(k)).sum().getFloat();
                long[] truth = ys.toLongArray();
                long[] predicted = logits.argMax(1).toLongArray();
                for (int i = 0; i < truth.length; i++) {
                    counts[(int) truth[i]][(int) predicted[i]]++;
                }
            }
        }
        return new Evaluation(data, model.classNames(), counts, n, n == 0 ? Double.NaN : lossSum / n);
    }

    /** The fraction of examples classified correctly. */
    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) {
            correct += counts[c][c];
        }
        return examples == 0 ? Double.NaN : (double) correct / examples;
    }

    /** Mean softmax cross-entropy of the true classes. */
    public double loss() {
        return loss;
    }

    public long examples() {
        return examples;
    }

    /** How many examples of class {@code truth} were predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** Accuracy of each class: class, examples, accuracy (NaN for a class without examples). */
    public Table perClass() {
        StringColumn names = StringColumn.create(CLASS);
        IntColumn sizes = IntColumn.create(EXAMPLES);
        DoubleColumn accuracy = DoubleColumn.create(ACCURACY);
        for (int c = 0; c < counts.length; c++) {
            long total = java.util.Arrays.stream(counts[c]).sum();
            names.append(classNames.get(c));
            sizes.append((int) total);
            accuracy.append(total == 0 ? Double.NaN : (double) counts[c][c] / total);
        }
        return Table.create("accuracy per class on " + data, names, sizes, accuracy);
    }

    /** The confusion matrix: one row per true class, one count column per predicted class. */
    public Table confusionMatrix() {
        Table t = Table.create("confusion matrix on " + data, StringColumn.create(TRUE_CLASS, classNames));
        for (int p = 0; p < counts.length; p++) {
            IntColumn column = IntColumn.create(classNames.get(p));
            for (long[] row : counts) {
                column.append((int) row[p]);
            }
            t.addColumns(column);
        }
        return t;
    }

    /** The confusion matrix as a heat map (true class down, predicted class across). */
    public HeatMap confusionChart() {
        return HeatMap.of(confusionMatrix(), TRUE_CLASS)
                .title(String.format(Locale.ROOT, "Confusion matrix on %s (accuracy %.2f%%)", data, 100 * accuracy()))
                .xLabel("predicted class")
                .yLabel("true class");
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "%s: accuracy %.2f%% on %,d examples, loss %.4f", data, 100 * accuracy(), examples, loss);
    }
}
