package dev.dropkit.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ScatterChartTest {
    @TempDir
    Path tmp;

    static Table runs() {
        DoubleColumn toTarget = DoubleColumn.create("seconds_to_target", 9.0, 6.0, 5.0);
        toTarget.appendMissing();
        return Table.create(
                "runs",
                StringColumn.create("run", "a", "b", "c", "d"),
                IntColumn.create("batch_size", 32, 128, 128, 1024),
                DoubleColumn.create("median_epoch_seconds", 3.0, 1.0, 1.1, 0.5),
                toTarget);
    }

    @Test
    void onePointPerRowGroupedAndMissingRowsLeftOut() throws IOException {
        ScatterChart chart = ScatterChart.of(runs(), "median_epoch_seconds", "seconds_to_target")
                .by("batch_size")
                .logX(true)
                .title("t")
                .size(500, 400);
        var xy = chart.chart();
        assertEquals(2, xy.getSeriesCollection().size(), "batch 1024 has no time to target, so no series");
        assertArrayEquals(
                new double[] {1.0, 1.1}, xy.getSeries("Batch size 128").getXData(), 1e-12);
        assertArrayEquals(
                new double[] {6.0, 5.0}, xy.getSeries("Batch size 128").getYData(), 1e-12);
        Path file = chart.save(tmp.resolve("scatter"));
        assertTrue(file.toString().endsWith(".png"));
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(500, read.getWidth());
        assertTrue(Files.size(file) > 3_000);
    }

    @Test
    void badInputIsAOneLineError() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> ScatterChart.of(runs(), "epoch", "seconds_to_target"));
        assertTrue(e.getMessage().contains("'epoch'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScatterChart.of(runs(), "run", "seconds_to_target"));
        Table empty = runs().where(runs().intColumn("batch_size").isEqualTo(1024));
        var none = assertThrows(IllegalArgumentException.class, () -> ScatterChart.of(
                        empty, "median_epoch_seconds", "seconds_to_target")
                .chart());
        assertTrue(none.getMessage().contains("nothing to plot"), none.getMessage());
    }
}
