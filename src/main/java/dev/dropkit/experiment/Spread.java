package dev.dropkit.experiment;

import java.util.Arrays;
import java.util.Locale;

/**
 * One measure over repeated seeds: mean, min, max and the half-width of a 95% Student-t interval for the mean
 * (NaN with fewer than two values). Missing values (NaN) are not counted.
 */
public record Spread(double mean, double min, double max, double halfWidth95, int n) {
    /** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; beyond that the normal 1.96. */
    private static final double[] T975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
        2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
    };

    /** The spread of {@code values}, skipping NaN; all NaN (or none) gives n = 0 and NaN everywhere. */
    public static Spread of(double... values) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
        int n = v.length;
        if (n == 0) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = Arrays.stream(v).average().orElseThrow();
        double half = Double.NaN;
        if (n > 1) {
            double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
            double sd = Math.sqrt(ss / (n - 1));
            half = (n - 1 <= T975.length ? T975[n - 2] : 1.96) * sd / Math.sqrt(n);
        }
        return new Spread(
                mean,
                Arrays.stream(v).min().orElseThrow(),
                Arrays.stream(v).max().orElseThrow(),
                half,
                n);
    }

    /** Half the min–max range: how far the seeds stray from their middle. */
    public double halfRange() {
        return (max - min) / 2;
    }

    /** e.g. {@code 97.61% (97.40–97.83%, 3 seeds)} for accuracies, with {@code scale} 100 and unit "%". */
    public String format(double scale, String unit, int decimals) {
        if (n == 0) {
            return "n/a";
        }
        String mid = number(scale * mean, decimals) + unit;
        if (n == 1) {
            return mid + " (1 seed)";
        }
        return mid + " (" + number(scale * min, decimals) + "–" + number(scale * max, decimals) + unit + ", " + n
                + " seeds)";
    }

    private static String number(double x, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", x);
    }
}
