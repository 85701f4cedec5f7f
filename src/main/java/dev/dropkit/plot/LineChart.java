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

/**
 * A line chart built from a {@link Table} and column names, one line per y column and per group.
 *
 * <pre>{@code
 * var chart = LineChart.of(history, "epoch", "train_accuracy", "test_accuracy").by("run")
 *         .title("Accuracy per epoch").yLabel("accuracy");
 * display(chart.image());
 * chart.save(Path.of("build/accuracy.png"));
 * }</pre>
 */
public final class LineChart extends ChartSpec<LineChart> {
    private final Table table;
    private final String x;
    private final List<String> ys;
    private String groupBy;
    private boolean markers = true;
    private boolean logX;

    private LineChart(Table table, String x, List<String> ys) {
        for (String column : concat(x, ys)) {
            requireColumn(table, column);
        }
        if (ys.isEmpty()) {
            throw new IllegalArgumentException("a line chart needs at least one y column");
        }
        this.table = table;
        this.x = x;
        this.ys = List.copyOf(ys);
    }

    /** Lines of {@code ys} against {@code x}. */
    public static LineChart of(Table table, String x, String... ys) {
        return new LineChart(table, x, List.of(ys));
    }

    /** One line per distinct value of this column (e.g. "run"), for overlaying several runs. */
    public LineChart by(String column) {
        requireColumn(table, column);
        this.groupBy = column;
        return this;
    }

    public LineChart markers(boolean markers) {
        this.markers = markers;
        return this;
    }

    /** Logarithmic x axis (e.g. batch size or learning rate). */
    public LineChart logX(boolean logX) {
        this.logX = logX;
        return this;
    }

    /** The XChart chart, to customise further. */
    public XYChart chart() {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle(xLabel != null ? xLabel : x)
                .yAxisTitle(yLabel != null ? yLabel : (ys.size() == 1 ? ys.get(0) : ""))
                .build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLogarithmic(logX);
        for (Map.Entry<String, Table> group : groups().entrySet()) {
            for (String y : ys) {
                String name = group.getKey().isEmpty() ? y
                        : (ys.size() == 1 ? group.getKey() : group.getKey() + " " + y);
                Table t = group.getValue();
                XYSeries series = chart.addSeries(name, values(t, x), values(t, y));
                series.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    private Map<String, Table> groups() {
        Map<String, Table> groups = new LinkedHashMap<>();
        if (groupBy == null) {
            groups.put("", table);
        } else {
            for (Table t : table.splitOn(groupBy).asTableList()) {
                groups.put(t.column(groupBy).getString(0), t);
            }
        }
        return groups;
    }

    static double[] values(Table t, String column) {
        if (!(t.column(column) instanceof NumericColumn<?> numbers)) {
            throw new IllegalArgumentException("column '" + column + "' is not numeric");
        }
        return numbers.asDoubleArray();
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
