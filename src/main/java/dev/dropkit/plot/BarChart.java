package dev.dropkit.plot;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Bars of one or more numeric columns per category of a {@link Table} (e.g. time to target per dropout rate), one
 * bar series per value column, or per group with {@link #by}. A missing value leaves a gap instead of a zero bar,
 * so a run that never reached its target is not drawn as the fastest.
 *
 * <pre>{@code
 * var chart = BarChart.of(summary, "dropout", "seconds_to_target").title("Time to 97%").yLabel("seconds");
 * display(chart.image());
 * }</pre>
 */
public final class BarChart extends ChartSpec<BarChart> {
    private final Table table;
    private final String category;
    private final List<String> values;
    private String groupBy;
    private boolean labels;
    private int categoryRotation;

    private BarChart(Table table, String category, List<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a bar chart needs at least one value column");
        }
        requireColumn(table, category);
        for (String column : values) {
            requireNumeric(table, column, "bars need numbers");
        }
        this.table = table;
        this.category = category;
        this.values = List.copyOf(values);
    }

    /** Bars of {@code values} for each distinct value of {@code category}, in order of first appearance. */
    public static BarChart of(Table table, String category, String... values) {
        return new BarChart(table, category, List.of(values));
    }

    /** One bar series per distinct value of this column (e.g. the learning rate, with batch size as category). */
    public BarChart by(String column) {
        requireColumn(table, column);
        this.groupBy = column;
        return this;
    }

    /** Print each bar's value above it. */
    public BarChart labels(boolean labels) {
        this.labels = labels;
        return this;
    }

    /** Turns the category names by {@code degrees} (e.g. 45) so that long run names all fit under the axis. */
    public BarChart rotateCategories(int degrees) {
        if (degrees < 0 || degrees > 90) {
            throw new IllegalArgumentException("category rotation " + degrees + " is outside [0, 90] degrees: try 45");
        }
        this.categoryRotation = degrees;
        return this;
    }

    /** The XChart chart, to customise further. */
    public CategoryChart chart() {
        CategoryChart chart = new CategoryChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel != null ? xLabel : labelOf(category))
                .yAxisTitle(yLabel != null ? yLabel : (values.size() == 1 ? labelOf(values.get(0)) : ""))
                .build();
        Styler styler = chart.getStyler();
        HouseStyle.apply(styler);
        chart.getStyler().setLabelsVisible(labels);
        boolean percent = values.stream().allMatch(HouseStyle::isPercent);
        chart.getStyler().setDecimalPattern(percent ? "0.0%" : "#,##0.##");
        if (percent) {
            chart.getStyler().setYAxisDecimalPattern("0%");
        }
        chart.getStyler().setXAxisLabelRotation(categoryRotation);
        chart.getStyler().setLegendVisible(groupBy != null || values.size() > 1);
        List<String> categories = distinct(table.column(category));
        Column<?> cat = table.column(category);
        Column<?> group = groupBy == null ? null : table.column(groupBy);
        List<String> groups = group == null ? List.of("") : distinct(group);
        for (String g : groups) {
            for (String value : values) {
                NumericColumn<?> numbers = (NumericColumn<?>) table.column(value);
                Map<String, Double> byCategory = new LinkedHashMap<>();
                for (int row = 0; row < table.rowCount(); row++) {
                    if (group == null || text(group, row).equals(g)) {
                        byCategory.put(text(cat, row), numbers.isMissing(row) ? null : numbers.getDouble(row));
                    }
                }
                List<Double> ys = categories.stream().map(byCategory::get).toList();
                String name = g.isEmpty()
                        ? labelOf(value)
                        : (values.size() == 1 ? labelOf(groupBy) + " " + g : g + ": " + labelOf(value));
                chart.addSeries(name, categories, ys);
            }
        }
        return chart;
    }

    private static List<String> distinct(Column<?> column) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < column.size(); i++) {
            seen.add(text(column, i));
        }
        return new ArrayList<>(seen);
    }

    /**
     * A category's label: numbers to six significant digits, so that a rate stored as a float (0.2000000298) reads
     * 0.2, and whole numbers without a decimal point.
     */
    static String text(Column<?> column, int row) {
        if (column instanceof NumericColumn<?> numbers && !numbers.isMissing(row)) {
            return new BigDecimal(numbers.getDouble(row), new MathContext(6))
                    .stripTrailingZeros()
                    .toPlainString();
        }
        return column.getString(row);
    }
}
