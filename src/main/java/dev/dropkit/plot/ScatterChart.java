package dev.dropkit.plot;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Points of one numeric column against another from a {@link Table}, one colour per group: trade-offs such as
 * seconds per epoch against time to target, one point per run. Rows with a missing x or y are left out.
 *
 * <pre>{@code
 * var chart = ScatterChart.of(summary, "median_epoch_seconds", "seconds_to_target").by("batch_size")
 *         .title("Cost per epoch vs time to target");
 * display(chart.image());
 * }</pre>
 */
public final class ScatterChart {
    private final Table table;
    private final String x;
    private final String y;
    private String groupBy;
    private String title = "";
    private String xLabel;
    private String yLabel;
    private int width = 720;
    private int height = 420;
    private boolean logX;
    private boolean logY;

    private ScatterChart(Table table, String x, String y) {
        for (String column : List.of(x, y)) {
            if (!table.columnNames().contains(column)) {
                throw new IllegalArgumentException("table " + table.name() + " has no column '" + column
                        + "': its columns are " + table.columnNames());
            }
            if (!(table.column(column) instanceof NumericColumn<?>)) {
                throw new IllegalArgumentException("column '" + column + "' is not numeric: a scatter needs numbers");
            }
        }
        this.table = table;
        this.x = x;
        this.y = y;
    }

    /** Points of {@code y} against {@code x}. */
    public static ScatterChart of(Table table, String x, String y) {
        return new ScatterChart(table, x, y);
    }

    /** One colour (and legend entry) per distinct value of this column. */
    public ScatterChart by(String column) {
        if (!table.columnNames().contains(column)) {
            throw new IllegalArgumentException("table " + table.name() + " has no column '" + column
                    + "': its columns are " + table.columnNames());
        }
        this.groupBy = column;
        return this;
    }

    public ScatterChart title(String title) {
        this.title = title;
        return this;
    }

    public ScatterChart xLabel(String label) {
        this.xLabel = label;
        return this;
    }

    public ScatterChart yLabel(String label) {
        this.yLabel = label;
        return this;
    }

    public ScatterChart size(int width, int height) {
        if (width < 50 || height < 50) {
            throw new IllegalArgumentException("chart size " + width + "x" + height + " is too small: use at least 50x50");
        }
        this.width = width;
        this.height = height;
        return this;
    }

    /** Logarithmic x axis (batch sizes, learning rates); values must then be positive. */
    public ScatterChart logX(boolean logX) {
        this.logX = logX;
        return this;
    }

    public ScatterChart logY(boolean logY) {
        this.logY = logY;
        return this;
    }

    /** The XChart chart, to customise further. */
    public XYChart chart() {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xLabel != null ? xLabel : x).yAxisTitle(yLabel != null ? yLabel : y).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendVisible(groupBy != null);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(10);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        NumericColumn<?> xs = (NumericColumn<?>) table.column(x);
        NumericColumn<?> ys = (NumericColumn<?>) table.column(y);
        Column<?> group = groupBy == null ? null : table.column(groupBy);
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (int row = 0; row < table.rowCount(); row++) {
            if (xs.isMissing(row) || ys.isMissing(row)) {
                continue;
            }
            String key = group == null ? y : groupBy + " " + group.getString(row);
            points.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {xs.getDouble(row), ys.getDouble(row)});
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no row of table " + table.name() + " has both " + x + " and " + y
                    + ": nothing to plot");
        }
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            double[] px = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] py = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            XYSeries series = chart.addSeries(e.getKey(), px, py);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    public BufferedImage image() {
        return Charts.image(chart());
    }

    public Path save(Path file) {
        return Charts.save(chart(), file);
    }
}
