package dev.dropkit.plot;

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

class LineChartTest {
    @TempDir
    Path tmp;

    static Table twoRuns() {
        return Table.create(
                "h",
                StringColumn.create("run", "a", "a", "a", "b", "b", "b"),
                IntColumn.create("epoch", 1, 2, 3, 1, 2, 3),
                DoubleColumn.create("test_accuracy", 0.9, 0.95, 0.96, 0.85, 0.9, 0.97));
    }

    @Test
    void rendersAPngOfTheRequestedSizeWithOneLinePerRun() throws IOException {
        LineChart chart = LineChart.of(twoRuns(), "epoch", "test_accuracy")
                .by("run")
                .title("t")
                .size(640, 360);
        assertEquals(2, chart.chart().getSeriesCollection().size());
        Path file = chart.save(tmp.resolve("out/chart.png"));
        assertTrue(Files.size(file) > 5_000, "a real PNG, not an empty one: " + Files.size(file));
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(640, read.getWidth());
        assertEquals(360, read.getHeight());
        BufferedImage image = chart.image();
        assertEquals(640, image.getWidth());
        // Something is drawn: not every pixel is the background colour.
        int first = image.getRGB(0, 0);
        boolean varied = false;
        for (int x = 0; x < image.getWidth() && !varied; x += 3) {
            for (int y = 0; y < image.getHeight() && !varied; y += 3) {
                varied = image.getRGB(x, y) != first;
            }
        }
        assertTrue(varied);
        try (var files = Files.list(tmp.resolve("out"))) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void unknownColumnIsNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> LineChart.of(twoRuns(), "epoch", "accuracy"));
        assertTrue(e.getMessage().contains("no column 'accuracy'"), e.getMessage());
    }
}
