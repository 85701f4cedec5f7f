package dev.dropkit.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * How raw feature values become the model's inputs: {@code x' = (x - offset[j]) / divisor[j]} for feature {@code j}
 * (one offset and divisor for every feature when the arrays have length 1). A trained model keeps the scaling of its
 * training data, so that it can be given raw values (pixels 0–255, a CSV file's numbers) and scale them the same way.
 */
public record FeatureScaling(float[] offset, float[] divisor) {
    /** No change. */
    public static final FeatureScaling NONE = uniform(0, 1);

    public FeatureScaling {
        if (offset.length != divisor.length || offset.length == 0) {
            throw new IllegalArgumentException(
                    "scaling needs as many offsets as divisors (got " + offset.length + " and " + divisor.length + ")");
        }
        for (float d : divisor) {
            if (!(d > 0) || Float.isInfinite(d)) {
                throw new IllegalArgumentException("scaling divisor " + d + " must be a positive number");
            }
        }
        offset = offset.clone();
        divisor = divisor.clone();
    }

    /** The same offset and divisor for every feature (e.g. {@code uniform(0, 255)} for pixels). */
    public static FeatureScaling uniform(float offset, float divisor) {
        return new FeatureScaling(new float[] {offset}, new float[] {divisor});
    }

    /** Per-feature mean and standard deviation of {@code rows} (a constant feature keeps divisor 1). */
    public static FeatureScaling standardize(float[][] rows) {
        int features = rows.length == 0 ? 0 : rows[0].length;
        double[] sum = new double[features];
        double[] square = new double[features];
        for (float[] row : rows) {
            for (int j = 0; j < features; j++) {
                sum[j] += row[j];
                square[j] += (double) row[j] * row[j];
            }
        }
        float[] mean = new float[features];
        float[] std = new float[features];
        for (int j = 0; j < features; j++) {
            double m = sum[j] / rows.length;
            double sd = Math.sqrt(Math.max(0, square[j] / rows.length - m * m));
            mean[j] = (float) m;
            std[j] = sd > 1e-6 ? (float) sd : 1f;
        }
        return new FeatureScaling(mean, std);
    }

    /** This scaling followed by {@code (x - mean) / std}: {@code (x - (offset + mean * divisor)) / (divisor * std)}. */
    public FeatureScaling then(float mean, float std) {
        float[] o = new float[offset.length];
        float[] d = new float[divisor.length];
        for (int j = 0; j < o.length; j++) {
            o[j] = offset[j] + mean * divisor[j];
            d[j] = divisor[j] * std;
        }
        return new FeatureScaling(o, d);
    }

    /** Whether this scaling fits rows of {@code features} values. */
    public boolean fits(int features) {
        return offset.length == 1 || offset.length == features;
    }

    /** The scaled copy of one row. */
    public float[] apply(float[] row) {
        if (!fits(row.length)) {
            throw new IllegalArgumentException("a row of " + row.length + " values does not fit a scaling of "
                    + offset.length + " features: give rows as wide as the training data");
        }
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) {
            int k = offset.length == 1 ? 0 : j;
            out[j] = (row[j] - offset[k]) / divisor[k];
        }
        return out;
    }

    /** Two lines of numbers separated by spaces: offsets, then divisors (read back by {@link #parse}). */
    public String format() {
        return join(offset) + "\n" + join(divisor) + "\n";
    }

    /** Reads what {@link #format} wrote. */
    public static FeatureScaling parse(String text) {
        String[] lines = text.strip().split("\\R");
        if (lines.length != 2) {
            throw new IllegalArgumentException("a scaling has two lines (offsets, divisors), not " + lines.length);
        }
        return new FeatureScaling(floats(lines[0]), floats(lines[1]));
    }

    private static String join(float[] values) {
        StringBuilder b = new StringBuilder();
        for (float v : values) {
            b.append(b.length() == 0 ? "" : " ").append(Float.toString(v));
        }
        return b.toString();
    }

    private static float[] floats(String line) {
        String[] parts = line.trim().split(" +");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i]);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureScaling s && Arrays.equals(offset, s.offset) && Arrays.equals(divisor, s.divisor);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(offset) + Arrays.hashCode(divisor);
    }

    @Override
    public String toString() {
        if (offset.length == 1) {
            return String.format(Locale.ROOT, "(x - %s) / %s", offset[0], divisor[0]);
        }
        return "per-feature standardisation of " + offset.length + " features";
    }
}
