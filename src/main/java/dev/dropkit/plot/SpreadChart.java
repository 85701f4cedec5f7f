package dev.dropkit.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The mean of a measure over repeated seeds, with its spread: one line per group through the means, and at each x an
 * error bar from the lowest to the highest seed. Built from a table with one row per seed (a sweep's stacked
 * histories, or a summary's trials): the rows that share a group and an x value are the seeds of one point.
 *
 * <pre>{@code
 * display(SpreadChart.of(runs, "epoch", "val_accuracy").by("run").title("Validation accuracy, 3 seeds"));
 * display(SpreadChart.of(summary.trials(), "dropout", "epochs_to_target").title("Epochs to 97%"));
 * }</pre>
 *
 * <p>A point is drawn only when every seed has a value: a configuration that some seed never brought to the target
 * is left out rather than drawn as the mean of the seeds that did. The x column should hold a shared grid (epochs,
 * rates), not per-seed values such as seconds.
 */
public final class SpreadChart extends ChartSpec<SpreadChart> {
    /** Columns of {@link #points()}. */
    public static final String GROUP = "group";

    public static final String MEAN = "mean";
    public static final String MIN = "min";
    public static final String MAX = "max";
    public static final String SEEDS = "seeds";

    private final Table table;
    private final String x;
    private final String y;
    private String groupBy;

    private SpreadChart(Table table, String x, String y) {
        requireNumeric(table, x, "the x axis needs numbers");
        requireNumeric(table, y, "a spread needs numbers");
        this.table = table;
        this.x = x;
        this.y = y;
    }

    /** Mean and min–max of {@code y} over the rows that share each value of {@code x}. */
    public static SpreadChart of(Table table, String x, String y) {
        return new SpreadChart(table, x, y);
    }

    /** One line per distinct value of this column (e.g. "run"); the rows of a group and an x are its seeds. */
    public SpreadChart by(String column) {
        requireColumn(table, column);
        this.groupBy = column;
        return this;
    }

    /**
     * The points drawn: one row per group and x (groups in order of first appearance, x ascending) with columns
     * {@value #GROUP}, the x column, {@value #MEAN}, {@value #MIN}, {@value #MAX} and {@value #SEEDS} (rows
     * aggregated); mean, min and max are missing when a seed has no value.
     */
    public Table points() {
        StringColumn groups = StringColumn.create(GROUP);
        DoubleColumn xs = DoubleColumn.create(x);
        DoubleColumn means = DoubleColumn.create(MEAN);
        DoubleColumn mins = DoubleColumn.create(MIN);
        DoubleColumn maxs = DoubleColumn.create(MAX);
        IntColumn seeds = IntColumn.create(SEEDS);
        for (Map.Entry<String, List<Point>> group : grouped().entrySet()) {
            for (Point p : group.getValue()) {
                groups.append(group.getKey());
                xs.append(p.x());
                seeds.append(p.seeds());
                if (p.complete()) {
                    means.append(p.mean());
                    mins.append(p.min());
                    maxs.append(p.max());
                } else {
                    means.appendMissing();
                    mins.appendMissing();
                    maxs.appendMissing();
                }
            }
        }
        return Table.create(table.name() + " spread", groups, xs, means, mins, maxs, seeds);
    }

    /** The XChart chart, to customise further. */
    public XYChart chart() {
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel != null ? xLabel : x)
                .yAxisTitle(yLabel != null ? yLabel : y)
                .build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendVisible(groupBy != null);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        Color[] palette = styler.getSeriesColors();
        int index = 0;
        int drawn = 0;
        for (Map.Entry<String, List<Point>> group : grouped().entrySet()) {
            Color color = palette[index++ % palette.length];
            List<Point> shown =
                    group.getValue().stream().filter(Point::complete).toList();
            if (shown.isEmpty()) {
                continue;
            }
            String name = group.getKey().isEmpty() ? y : group.getKey();
            double[] px = shown.stream().mapToDouble(Point::x).toArray();
            XYSeries line = chart.addSeries(
                    name, px, shown.stream().mapToDouble(Point::mean).toArray());
            line.setMarker(SeriesMarkers.CIRCLE);
            line.setLineColor(color);
            line.setMarkerColor(color);
            // XChart's error bars are symmetric: centred on the middle of the seed range, they span min to max.
            XYSeries range = chart.addSeries(
                    name + " (seed range)",
                    px,
                    shown.stream().mapToDouble(p -> (p.min() + p.max()) / 2).toArray(),
                    shown.stream().mapToDouble(p -> (p.max() - p.min()) / 2).toArray());
            range.setMarker(SeriesMarkers.NONE);
            range.setLineStyle(SeriesLines.NONE);
            range.setLineColor(color);
            range.setShowInLegend(false);
            drawn++;
        }
        if (drawn == 0) {
            throw new IllegalArgumentException(
                    "no point of table " + table.name() + " has a value of " + y + " for every seed: nothing to plot");
        }
        return chart;
    }

    /** The seeds' values of one group at one x (NaN where a seed has none). */
    private record Point(double x, List<Double> values) {
        int seeds() {
            return values.size();
        }

        boolean complete() {
            return values.stream().noneMatch(v -> v.isNaN());
        }

        double mean() {
            return values.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }
    }

    /** Group label -> its points, x ascending. */
    private Map<String, List<Point>> grouped() {
        NumericColumn<?> xs = (NumericColumn<?>) table.column(x);
        NumericColumn<?> ys = (NumericColumn<?>) table.column(y);
        Column<?> group = groupBy == null ? null : table.column(groupBy);
        Map<String, TreeMap<Double, List<Double>>> out = new LinkedHashMap<>();
        for (int row = 0; row < table.rowCount(); row++) {
            if (xs.isMissing(row)) {
                continue;
            }
            String key = group == null ? "" : group.getString(row);
            double value = ys.isMissing(row) ? Double.NaN : ys.getDouble(row);
            out.computeIfAbsent(key, k -> new TreeMap<>())
                    .computeIfAbsent(xs.getDouble(row), k -> new ArrayList<>())
                    .add(value);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(
                    "table " + table.name() + " has no row with a value of " + x + ": nothing to plot");
        }
        Map<String, List<Point>> points = new LinkedHashMap<>();
        out.forEach((key, byX) -> points.put(
                key,
                byX.entrySet().stream()
                        .map(e -> new Point(e.getKey(), List.copyOf(e.getValue())))
                        .toList()));
        return points;
    }
}
