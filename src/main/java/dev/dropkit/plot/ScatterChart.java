package dev.dropkit.plot;

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
public final class ScatterChart extends ChartSpec<ScatterChart> {
    private final Table table;
    private final String x;
    private final String y;
    private String groupBy;
    private boolean logX;
    private boolean logY;

    private ScatterChart(Table table, String x, String y) {
        requireNumeric(table, x, "a scatter needs numbers");
        requireNumeric(table, y, "a scatter needs numbers");
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
        requireColumn(table, column);
        this.groupBy = column;
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
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel != null ? xLabel : labelOf(x))
                .yAxisTitle(yLabel != null ? yLabel : labelOf(y))
                .build();
        Styler styler = chart.getStyler();
        HouseStyle.apply(styler);
        styler.setLegendVisible(groupBy != null);
        if (HouseStyle.isPercent(y)) {
            chart.getStyler().setYAxisDecimalPattern("0.0%");
        }
        if (HouseStyle.isPercent(x)) {
            chart.getStyler().setXAxisDecimalPattern("0.0%");
        }
        if (!logX && (HouseStyle.isCount(x) || LineChart.isWholeNumbers(table, x))) {
            chart.getStyler().setXAxisTickLabelsFormattingFunction(HouseStyle::integerTick);
        }
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
            String key = group == null ? labelOf(y) : labelOf(groupBy) + " " + BarChart.text(group, row);
            points.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(new double[] {xs.getDouble(row), ys.getDouble(row)});
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException(
                    "no row of table " + table.name() + " has both " + x + " and " + y + ": nothing to plot");
        }
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            double[] px = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] py = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            XYSeries series = chart.addSeries(e.getKey(), px, py);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }
}
