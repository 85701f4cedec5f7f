package dev.dropkit.plot;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A heat map of a table's numeric columns (across) by the rows named in one text column (down), with each cell's
 * value printed: e.g. a confusion matrix (true class down, predicted class across).
 *
 * <pre>{@code
 * display(HeatMap.of(evaluation.confusionMatrix(), "true class").title("Confusion matrix").image());
 * }</pre>
 */
public final class HeatMap extends ChartSpec<HeatMap> {
    /** From white to the palette's blue: sequential, readable in grey and with colour-vision deficiencies. */
    private static final Color[] RANGE = {Color.WHITE, new Color(0x56B4E9), new Color(0x0072B2)};

    private final Table table;
    private final String rowColumn;

    private HeatMap(Table table, String rowColumn) {
        requireColumn(table, rowColumn);
        if (table.columnCount() < 2) {
            throw new IllegalArgumentException("a heat map needs numeric columns next to '" + rowColumn + "'");
        }
        for (Column<?> c : table.columns()) {
            if (!c.name().equals(rowColumn)) {
                requireNumeric(table, c.name(), "a heat map's cells are numbers");
            }
        }
        this.table = table;
        this.rowColumn = rowColumn;
        this.width = 640;
        this.height = 560;
    }

    /** Cells of every column but {@code rowColumn}, one row of cells per table row. */
    public static HeatMap of(Table table, String rowColumn) {
        return new HeatMap(table, rowColumn);
    }

    @Override
    public HeatMapChart chart() {
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(width)
                .height(height)
                .title(title)
                .xAxisTitle(xLabel != null ? xLabel : "")
                .yAxisTitle(yLabel != null ? yLabel : labelOf(rowColumn))
                .build();
        HouseStyle.apply(chart.getStyler());
        chart.getStyler().setRangeColors(RANGE);
        chart.getStyler().setShowValue(true);
        chart.getStyler().setHeatMapValueDecimalPattern("#,##0.##");
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setValueFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 11));
        // Every row and column gets its label (XChart would skip labels closer than its default spacing).
        chart.getStyler().setXAxisTickMarkSpacingHint(5);
        chart.getStyler().setYAxisTickMarkSpacingHint(5);
        chart.getStyler().setXAxisLabelRotation(table.columnCount() > 6 ? 45 : 0);
        List<String> across = new ArrayList<>();
        for (Column<?> c : table.columns()) {
            if (!c.name().equals(rowColumn)) {
                across.add(c.name());
            }
        }
        // The first row at the top, as in the table: XChart draws y upwards, so rows go in reversed.
        List<String> down = new ArrayList<>();
        for (int r = table.rowCount() - 1; r >= 0; r--) {
            down.add(table.column(rowColumn).getString(r));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int x = 0; x < across.size(); x++) {
            NumericColumn<?> column = (NumericColumn<?>) table.column(across.get(x));
            for (int r = 0; r < table.rowCount(); r++) {
                if (!column.isMissing(r)) {
                    cells.add(new Number[] {x, table.rowCount() - 1 - r, column.getDouble(r)});
                }
            }
        }
        chart.addSeries(table.name() == null ? "values" : table.name(), across, down, cells);
        return chart;
    }
}
