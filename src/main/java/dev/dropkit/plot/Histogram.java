package dev.dropkit.plot;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Histograms of one or more sets of values (e.g. every weight of a model after training), overlaid as step lines on
 * shared bins so that distributions of different runs can be compared in one chart. Each series is drawn as the
 * fraction of its values per bin, so runs with different numbers of values stay comparable.
 *
 * <pre>{@code
 * var chart = Histogram.of("no decay", run1.weights()).add("decay 1e-3", run2.weights())
 *         .bins(80).range(-0.3, 0.3).title("Weights after training");
 * display(chart.image());
 * }</pre>
 */
public final class Histogram extends ChartSpec<Histogram> {
    private final Map<String, double[]> series = new LinkedHashMap<>();
    private int bins = 60;
    private double min = Double.NaN;
    private double max = Double.NaN;
    private boolean logY;

    private Histogram() {
        xLabel = "value";
    }

    /** A histogram of {@code values} under the legend name {@code name}. */
    public static Histogram of(String name, float[] values) {
        return new Histogram().add(name, values);
    }

    public static Histogram of(String name, double[] values) {
        return new Histogram().add(name, values);
    }

    /** Overlays another set of values on the same bins. */
    public Histogram add(String name, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return add(name, d);
    }

    public Histogram add(String name, double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("series '" + name + "' has no values: a histogram needs at least one");
        }
        if (series.containsKey(name)) {
            throw new IllegalArgumentException("series '" + name + "' is already in this histogram: use another name");
        }
        series.put(name, values.clone());
        return this;
    }

    /** Number of equal-width bins (default 60). */
    public Histogram bins(int bins) {
        if (bins < 1 || bins > 10_000) {
            throw new IllegalArgumentException("bin count " + bins + " is outside [1, 10000]: try 60");
        }
        this.bins = bins;
        return this;
    }

    /**
     * The range the bins cover (default: the smallest to the largest value of all series); values outside it are
     * counted in the first or last bin, so that a few outliers do not squeeze the interesting part of the chart.
     */
    public Histogram range(double min, double max) {
        if (!(min < max) || Double.isInfinite(min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("histogram range [" + min + ", " + max
                    + "] is empty or not finite: give min < max, e.g. range(-0.5, 0.5)");
        }
        this.min = min;
        this.max = max;
        return this;
    }

    /** Logarithmic y axis, to see the tails of a peaked distribution. */
    public Histogram logY(boolean logY) {
        this.logY = logY;
        return this;
    }

    /** Bin counts of {@code values} over {@code bins} equal bins of [min, max]; outside values go to the end bins. */
    public static long[] counts(double[] values, int bins, double min, double max) {
        if (bins < 1 || !(min < max)) {
            throw new IllegalArgumentException("cannot bin into " + bins + " bins over [" + min + ", " + max
                    + "]: need at least one bin and min < max");
        }
        long[] counts = new long[bins];
        double width = (max - min) / bins;
        for (double v : values) {
            if (Double.isNaN(v)) {
                continue;
            }
            int bin = (int) Math.floor((v - min) / width);
            counts[Math.max(0, Math.min(bins - 1, bin))]++;
        }
        return counts;
    }

    /** The XChart chart, to customise further. */
    public XYChart chart() {
        double[] range = range();
        double lo = range[0];
        double hi = range[1];
        double width = (hi - lo) / bins;
        XYChart chart = new XYChartBuilder()
                .width(this.width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel)
                .yAxisTitle("Share of values per bin")
                .build();
        Styler styler = chart.getStyler();
        HouseStyle.apply(styler);
        styler.setLegendVisible(series.size() > 1);
        chart.getStyler().setYAxisLogarithmic(logY);
        if (!logY) {
            chart.getStyler().setYAxisDecimalPattern("0.#%");
        }
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            long[] counts = counts(e.getValue(), bins, lo, hi);
            // Step outline: each bin contributes its left and right edge at the bin's height.
            double[] x = new double[2 * bins];
            double[] y = new double[2 * bins];
            double n = e.getValue().length;
            for (int b = 0; b < bins; b++) {
                double fraction = counts[b] / n;
                // A log axis cannot show 0: draw empty bins at a tiny floor instead of dropping the outline.
                double shown = logY ? Math.max(fraction, 0.1 / n) : fraction;
                x[2 * b] = lo + b * width;
                x[2 * b + 1] = lo + (b + 1) * width;
                y[2 * b] = shown;
                y[2 * b + 1] = shown;
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private double[] range() {
        if (!Double.isNaN(min)) {
            return new double[] {min, max};
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] values : series.values()) {
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("every value is NaN: nothing to draw");
        }
        if (lo == hi) {
            // One distinct value: give it a bin of width 1 around it rather than failing.
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo, hi};
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Histogram of %s, %d bins", series.keySet(), bins);
    }
}
