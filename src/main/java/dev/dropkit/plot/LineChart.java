package dev.dropkit.plot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * A line chart built from a {@link Table} and column names, one line per y column and per group, in the
 * {@link HouseStyle}: readable series names, percent axes for accuracies, integer ticks for counts, a second axis
 * on the right for quantities of another kind.
 *
 * <pre>{@code
 * var chart = LineChart.of(history, "epoch", "train_accuracy", "test_accuracy").by("run")
 *         .title("Accuracy per epoch").label("test_accuracy", "Accuracy on held-out images").scale(2);
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
    private List<String> right = List.of();
    private String rightLabel;

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

    /**
     * Draws these columns against a second y axis on the right (dashed lines), for quantities of another kind than
     * the left axis's (e.g. accuracy next to seconds). When the y columns mix accuracies (or other fractions) with
     * other quantities and no column is named here, the accuracies go to the right axis on their own.
     */
    public LineChart rightAxis(String... columns) {
        for (String c : columns) {
            if (!ys.contains(c)) {
                throw new IllegalArgumentException("right-axis column '" + c + "' is not one of the y columns " + ys);
            }
        }
        this.right = List.of(columns);
        return this;
    }

    /** The title of the right axis (default: its column's label). */
    public LineChart rightLabel(String label) {
        this.rightLabel = label;
        return this;
    }

    /** The y columns drawn on the right axis. */
    List<String> rightColumns() {
        if (!right.isEmpty()) {
            return right;
        }
        List<String> percent = ys.stream().filter(HouseStyle::isPercent).toList();
        return percent.size() < ys.size() && !percent.isEmpty() ? percent : List.of();
    }

    /** The XChart chart, to customise further. */
    public XYChart chart() {
        List<String> rightYs = rightColumns();
        List<String> leftYs = ys.stream().filter(y -> !rightYs.contains(y)).toList();
        boolean leftPercent = !leftYs.isEmpty() && leftYs.stream().allMatch(HouseStyle::isPercent);
        boolean rightPercent = !rightYs.isEmpty() && rightYs.stream().allMatch(HouseStyle::isPercent);
        // XChart 4.0.3 formats every y axis with the left axis's pattern: with a percent axis next to one of
        // another kind, the percentages are drawn as numbers 0-100 and their axis title says "(%)" instead.
        boolean mixed = !rightYs.isEmpty() && leftPercent != rightPercent;
        XYChart chart = new XYChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel != null ? xLabel : labelOf(x))
                .yAxisTitle((yLabel != null ? yLabel : axisTitle(leftYs)) + (mixed && leftPercent ? " (%)" : ""))
                .build();
        XYStyler styler = chart.getStyler();
        HouseStyle.apply(styler);
        styler.setXAxisLogarithmic(logX);
        if (!logX && (HouseStyle.isCount(x) || isWholeNumbers(table, x))) {
            styler.setXAxisTickLabelsFormattingFunction(HouseStyle::integerTick);
        }
        int count = 0;
        // Left-axis series first: XChart formats the axes by the order in which their groups first appear.
        List<String> ordered = new ArrayList<>(leftYs);
        ordered.addAll(rightYs);
        for (Map.Entry<String, Table> group : groups().entrySet()) {
            for (String y : ordered) {
                String name = group.getKey().isEmpty()
                        ? labelOf(y)
                        : (ys.size() == 1 ? group.getKey() : group.getKey() + ": " + labelOf(y));
                Table t = group.getValue();
                double[] ys = values(t, y);
                if (mixed && HouseStyle.isPercent(y)) {
                    ys = java.util.Arrays.stream(ys).map(v -> 100 * v).toArray();
                }
                XYSeries series = chart.addSeries(name, values(t, x), ys);
                series.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
                if (rightYs.contains(y)) {
                    series.setYAxisGroup(1);
                    series.setLineStyle(new java.awt.BasicStroke(
                            2f,
                            java.awt.BasicStroke.CAP_BUTT,
                            java.awt.BasicStroke.JOIN_ROUND,
                            10f,
                            new float[] {6f, 4f},
                            0f));
                }
                count++;
            }
        }
        styler.setLegendVisible(count > 1);
        if (leftPercent && !mixed) {
            styler.setYAxisDecimalPattern(HouseStyle.percentPattern(span(rightPercent ? ys : leftYs)));
        }
        if (!rightYs.isEmpty()) {
            styler.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            chart.setYAxisGroupTitle(
                    1, (rightLabel != null ? rightLabel : axisTitle(rightYs)) + (mixed && rightPercent ? " (%)" : ""));
        }
        return chart;
    }

    /** One column's label, or "Accuracy" for several accuracies, else the labels joined. */
    private String axisTitle(List<String> columns) {
        if (columns.size() == 1) {
            return labelOf(columns.get(0));
        }
        if (!columns.isEmpty() && columns.stream().allMatch(c -> c.contains("accuracy"))) {
            return "Accuracy";
        }
        if (!columns.isEmpty() && columns.stream().allMatch(c -> c.contains("loss"))) {
            return "Loss";
        }
        return String.join(", ", columns.stream().map(this::labelOf).toList());
    }

    private double span(List<String> columns) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String c : columns) {
            for (double v : values(table, c)) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return hi >= lo ? hi - lo : 1;
    }

    /** Whether the column is an integer type or holds whole numbers only (then: integer ticks). */
    static boolean isWholeNumbers(Table t, String column) {
        if (t.column(column) instanceof tech.tablesaw.api.IntColumn
                || t.column(column) instanceof tech.tablesaw.api.LongColumn
                || t.column(column) instanceof tech.tablesaw.api.ShortColumn) {
            return true;
        }
        return false;
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
