package dev.dropkit.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategorySeries;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

class BarChartTest {
    @TempDir
    Path tmp;

    /** Time to target per dropout rate; the run at 0.8 never reached it (missing). */
    static Table summary() {
        DoubleColumn seconds = DoubleColumn.create("seconds_to_target", 5.0, 4.0, 6.5);
        seconds.appendMissing();
        // Rates as a float dropout layer reports them: 0.2f widened to double is 0.20000000298...
        return Table.create(
                "s",
                DoubleColumn.create("dropout", 0.0, (double) 0.2f, 0.5, (double) 0.8f),
                seconds,
                DoubleColumn.create("final_test_accuracy", 0.97, 0.975, 0.972, 0.95));
    }

    @Test
    void oneBarPerCategoryAndAGapForAMissingValue() throws IOException {
        BarChart chart = BarChart.of(summary(), "dropout", "seconds_to_target")
                .title("t")
                .size(600, 300);
        var series = chart.chart().getSeries("Seconds to target");
        assertEquals(List.of("0", "0.2", "0.5", "0.8"), new ArrayList<>(series.getXData()));
        double[] ys = series.getYData();
        assertEquals(4.0, ys[1], 1e-12);
        assertTrue(Double.isNaN(ys[3]), "missing value: no bar, not a zero bar");
        Path file = chart.save(tmp.resolve("bars.png"));
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(600, read.getWidth());
        assertEquals(300, read.getHeight());
        assertTrue(Files.size(file) > 3_000, "a real PNG: " + Files.size(file));
    }

    @Test
    void groupsBecomeSeriesAlignedOnTheCategories() {
        Table t = Table.create(
                "g",
                IntColumn.create("batch_size", 32, 128, 32, 128, 512),
                DoubleColumn.create("lr", 0.1, 0.1, 0.4, 0.4, 0.4),
                DoubleColumn.create("median_epoch_seconds", 3.0, 1.0, 3.1, 1.1, 0.6));
        var chart =
                BarChart.of(t, "batch_size", "median_epoch_seconds").by("lr").chart();
        assertEquals(2, chart.getSeriesCollection().size());
        CategorySeries small = chart.getSeries("Learning rate 0.1");
        assertEquals(List.of("32", "128", "512"), new ArrayList<>(small.getXData()));
        assertTrue(Double.isNaN(small.getYData()[2]), "lr 0.1 has no batch 512 run");
        assertTrue(BarChart.of(t, "batch_size", "lr", "median_epoch_seconds")
                        .image()
                        .getWidth()
                > 0);
    }

    @Test
    void badColumnsAreOneLineErrors() {
        var missing =
                assertThrows(IllegalArgumentException.class, () -> BarChart.of(summary(), "rate", "seconds_to_target"));
        assertTrue(missing.getMessage().contains("'rate'"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BarChart.of(summary(), "dropout"));
        assertThrows(IllegalArgumentException.class, () -> BarChart.of(summary(), "dropout", "x")
                .by("nope"));
        assertThrows(IllegalArgumentException.class, () -> BarChart.of(summary(), "dropout", "seconds_to_target")
                .size(10, 10));
        var turn = assertThrows(
                IllegalArgumentException.class,
                () -> BarChart.of(summary(), "dropout", "seconds_to_target").rotateCategories(120));
        assertTrue(turn.getMessage().contains("[0, 90]"), turn.getMessage());
        assertEquals(
                45,
                BarChart.of(summary(), "dropout", "seconds_to_target")
                        .rotateCategories(45)
                        .chart()
                        .getStyler()
                        .getXAxisLabelRotation());
    }
}
