package dev.dropkit.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class HouseStyleTest {
    @TempDir
    Path tmp;

    static Table history() {
        return Table.create(
                "h",
                IntColumn.create("epoch", 1, 2, 3),
                DoubleColumn.create("train_accuracy", 0.9, 0.95, 0.97),
                DoubleColumn.create("val_accuracy", 0.89, 0.93, 0.95),
                DoubleColumn.create("cumulative_seconds", 0.8, 1.6, 2.4));
    }

    @Test
    void seriesGetReadableLabelsNotColumnNames() {
        XYChart chart = LineChart.of(history(), "epoch", "train_accuracy", "val_accuracy")
                .chart();
        assertEquals(
                List.of("Training accuracy", "Validation accuracy"),
                chart.getSeriesCollection().stream().map(XYSeries::getName).toList());
        assertEquals("Epoch", chart.getXAxisTitle());
        assertEquals("Accuracy", chart.getYAxisTitle());
        XYChart custom = LineChart.of(history(), "epoch", "val_accuracy")
                .label("val_accuracy", "Held-out accuracy")
                .chart();
        assertEquals(
                List.of("Held-out accuracy"),
                custom.getSeriesCollection().stream().map(XYSeries::getName).toList());
        assertEquals("Speed-up", HouseStyle.label("speed_up"));
        assertEquals("My column", HouseStyle.label("my_column"));
    }

    @Test
    void accuraciesGetPercentAxesAndCountsIntegerTicks() {
        XYChart chart = LineChart.of(history(), "epoch", "val_accuracy").chart();
        assertEquals("0%", chart.getStyler().getYAxisDecimalPattern());
        assertNotNull(chart.getStyler().getXAxisTickLabelsFormattingFunction());
        assertEquals("2", HouseStyle.integerTick(2.0));
        assertEquals(" ", HouseStyle.integerTick(1.5), "no label between two whole numbers");
        XYChart time =
                LineChart.of(history(), "cumulative_seconds", "val_accuracy").chart();
        assertNull(time.getStyler().getXAxisTickLabelsFormattingFunction(), "seconds are not counts");
        Table close =
                Table.create("c", IntColumn.create("epoch", 1, 2), DoubleColumn.create("test_accuracy", 0.97, 0.98));
        assertEquals(
                "0.0%",
                LineChart.of(close, "epoch", "test_accuracy")
                        .chart()
                        .getStyler()
                        .getYAxisDecimalPattern());
    }

    @Test
    void quantitiesOfAnotherKindGoToASecondAxis() {
        XYChart chart = LineChart.of(history(), "epoch", "val_accuracy", "cumulative_seconds")
                .chart();
        XYSeries seconds = chart.getSeries("Training time (s)");
        XYSeries accuracy = chart.getSeries("Validation accuracy");
        assertEquals(0, seconds.getYAxisGroup());
        assertEquals(1, accuracy.getYAxisGroup());
        assertEquals(Styler.YAxisPosition.Right, chart.getStyler().getYAxisGroupPosistion(1));
        assertEquals("Training time (s)", chart.getYAxisTitle());
        // Percent next to seconds: XChart would format both axes alike, so accuracy is drawn as 0-100 with "(%)".
        assertEquals("Validation accuracy (%)", chart.getYAxisGroupTitle(1));
        assertEquals(95.0, accuracy.getYData()[2], 1e-9);
        assertEquals(2.4, seconds.getYData()[2], 1e-9);
        assertNull(chart.getStyler().getYAxisDecimalPattern());
        XYChart explicit = LineChart.of(history(), "epoch", "train_accuracy", "val_accuracy")
                .rightAxis("val_accuracy")
                .chart();
        assertEquals(1, explicit.getSeries("Validation accuracy").getYAxisGroup());
        assertEquals("0%", explicit.getStyler().getYAxisDecimalPattern(), "both axes percent: one pattern fits");
        assertThrows(IllegalArgumentException.class, () -> LineChart.of(history(), "epoch", "val_accuracy")
                .rightAxis("train_accuracy"));
    }

    @Test
    void paletteIsOkabeItoAndLegendsSitOutsideTheRight() {
        XYChart chart = LineChart.of(history(), "epoch", "train_accuracy", "val_accuracy")
                .chart();
        assertArrayEquals(HouseStyle.PALETTE, chart.getStyler().getSeriesColors());
        assertEquals(Styler.LegendPosition.OutsideE, chart.getStyler().getLegendPosition());
        assertTrue(chart.getStyler().isLegendVisible());
        assertFalse(
                LineChart.of(history(), "epoch", "val_accuracy")
                        .chart()
                        .getStyler()
                        .isLegendVisible(),
                "one series: its name is the axis title");
    }

    @Test
    void longLegendEntriesAreNotClipped() {
        // The legend sits right of the plot and the plot shrinks to make room: the image's right edge column
        // is background, so no legend text runs off the image.
        Table t = Table.create(
                "t",
                StringColumn.create(
                        "run",
                        "a much longer run label than usual, dropout 0.5",
                        "a much longer run label than usual, dropout 0.5",
                        "another long run label, dropout 0.25",
                        "another long run label, dropout 0.25"),
                IntColumn.create("epoch", 1, 2, 1, 2),
                DoubleColumn.create("test_accuracy", 0.9, 0.95, 0.91, 0.96));
        BufferedImage image =
                LineChart.of(t, "epoch", "test_accuracy").by("run").image();
        int background = image.getRGB(image.getWidth() - 1, 0);
        for (int y = 0; y < image.getHeight(); y++) {
            assertEquals(background, image.getRGB(image.getWidth() - 1, y), "right edge free at y=" + y);
        }
    }

    @Test
    void scaleDrawsMorePixelsWithTheSameLayout() throws IOException {
        LineChart chart =
                LineChart.of(history(), "epoch", "val_accuracy").size(400, 300).scale(2);
        assertEquals(800, chart.image().getWidth());
        BufferedImage saved = ImageIO.read(chart.save(tmp.resolve("c.png")).toFile());
        assertEquals(800, saved.getWidth());
        assertEquals(600, saved.getHeight());
        assertThrows(IllegalArgumentException.class, () -> chart.scale(0));
    }

    @Test
    void barsOfAccuracyArePercentAndHeatMapsRender() {
        Table summary = Table.create(
                "s", StringColumn.create("run", "a", "b"), DoubleColumn.create("final_test_accuracy", 0.97, 0.98));
        CategoryChart bars = BarChart.of(summary, "run", "final_test_accuracy").chart();
        assertEquals("0%", bars.getStyler().getYAxisDecimalPattern());
        assertEquals("Final test accuracy", bars.getYAxisTitle());
        Table cm = Table.create(
                "cm",
                StringColumn.create("true class", "x", "y"),
                IntColumn.create("x", 5, 1),
                IntColumn.create("y", 0, 4));
        BufferedImage image =
                HeatMap.of(cm, "true class").title("Confusion").scale(2).image();
        assertEquals(1280, image.getWidth());
        assertThrows(
                IllegalArgumentException.class,
                () -> HeatMap.of(summary.copy().addColumns(StringColumn.create("text", "p", "q")), "run"));
    }
}
