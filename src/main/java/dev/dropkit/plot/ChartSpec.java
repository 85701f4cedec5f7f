package dev.dropkit.plot;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;

/**
 * What every chart builder here shares: title, axis labels, size, and rendering through {@link Charts}, as fluent
 * setters that return the concrete builder.
 */
public abstract class ChartSpec<B extends ChartSpec<B>> {
    protected String title = "";
    protected String xLabel;
    protected String yLabel;
    protected int width = 720;
    protected int height = 420;
    protected double scale = 1;
    private final java.util.Map<String, String> labels = new java.util.HashMap<>();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    public B title(String title) {
        this.title = title;
        return self();
    }

    public B xLabel(String label) {
        this.xLabel = label;
        return self();
    }

    public B yLabel(String label) {
        this.yLabel = label;
        return self();
    }

    public B size(int width, int height) {
        if (width < 50 || height < 50) {
            throw new IllegalArgumentException(
                    "chart size " + width + "x" + height + " is too small: use at least 50x50");
        }
        this.width = width;
        this.height = height;
        return self();
    }

    /**
     * Draws the image {@code factor} times as many pixels wide and high with the same layout (e.g. 2 for sharp
     * images on high-density screens and in documents).
     */
    public B scale(double factor) {
        if (!(factor >= 0.5 && factor <= 8)) {
            throw new IllegalArgumentException("chart scale " + factor + " is outside [0.5, 8]: try 2");
        }
        this.scale = factor;
        return self();
    }

    /** The legend and axis name of a column (default: {@link HouseStyle#label}, e.g. "Validation accuracy"). */
    public B label(String column, String text) {
        labels.put(column, text);
        return self();
    }

    /** The name shown for a column. */
    protected String labelOf(String column) {
        return labels.getOrDefault(column, HouseStyle.label(column));
    }

    /** The XChart chart, to customise further. */
    public abstract Chart<?, ?> chart();

    /** The chart as an image, for {@code display(...)}. */
    public BufferedImage image() {
        return Charts.image(chart(), scale);
    }

    /** Writes the chart as a PNG file (atomically). */
    public Path save(Path file) {
        return Charts.save(chart(), file, scale);
    }

    /** Throws a one-line error naming the table's columns if {@code column} is not one of them. */
    static void requireColumn(Table table, String column) {
        if (!table.columnNames().contains(column)) {
            throw new IllegalArgumentException("table " + table.name() + " has no column '" + column
                    + "': its columns are " + table.columnNames());
        }
    }

    /** As {@link #requireColumn}, and the column must hold numbers ({@code use} says what for). */
    static void requireNumeric(Table table, String column, String use) {
        requireColumn(table, column);
        if (!(table.column(column) instanceof NumericColumn<?>)) {
            throw new IllegalArgumentException("column '" + column + "' is not numeric: " + use);
        }
    }
}
