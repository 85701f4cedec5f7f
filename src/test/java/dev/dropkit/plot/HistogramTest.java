package dev.dropkit.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistogramTest {
    @TempDir
    Path tmp;

    @Test
    void countsPutEachValueInItsBinAndClampTheEnds() {
        double[] values = {0.0, 0.1, 0.24, 0.25, 0.5, 0.99, 1.0, -3, 7, Double.NaN};
        // Bins of [0, 1] by 4: [0, .25) [.25, .5) [.5, .75) [.75, 1]; -3 joins the first, 7 the last, NaN none.
        assertArrayEquals(new long[] {4, 1, 1, 3}, Histogram.counts(values, 4, 0, 1));
    }

    @Test
    void rendersANonEmptyPngWithOneOutlinePerSeries() throws IOException {
        Random random = new Random(1);
        float[] wide = new float[5000];
        float[] narrow = new float[3000];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (float) (0.1 * random.nextGaussian());
        }
        for (int i = 0; i < narrow.length; i++) {
            narrow[i] = (float) (0.03 * random.nextGaussian());
        }
        Histogram h = Histogram.of("wide", wide)
                .add("narrow", narrow)
                .bins(40)
                .title("weights")
                .size(600, 350);
        assertEquals(2, h.chart().getSeriesCollection().size());
        Path file = h.save(tmp.resolve("h.png"));
        assertTrue(Files.size(file) > 5_000, "a real PNG: " + Files.size(file) + " bytes");
        BufferedImage read = ImageIO.read(file.toFile());
        assertEquals(600, read.getWidth());
        assertEquals(350, read.getHeight());
        BufferedImage image = h.logY(true).range(-0.3, 0.3).image();
        int background = image.getRGB(1, 1);
        boolean drawn = false;
        for (int x = 0; x < image.getWidth() && !drawn; x += 3) {
            for (int y = 0; y < image.getHeight() && !drawn; y += 3) {
                drawn = image.getRGB(x, y) != background;
            }
        }
        assertTrue(drawn, "something is drawn");
    }

    @Test
    void badInputsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> Histogram.of("empty", new float[0]));
        var bins = assertThrows(IllegalArgumentException.class, () -> Histogram.of("a", new double[] {1})
                .bins(0));
        assertTrue(bins.getMessage().contains("0"), bins.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Histogram.of("a", new double[] {1})
                .range(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Histogram.of("a", new double[] {1})
                .add("a", new double[] {2}));
        // A single distinct value still draws (a bin around it) instead of failing.
        assertEquals(
                1,
                Histogram.of("constant", new double[] {2, 2, 2})
                        .chart()
                        .getSeriesCollection()
                        .size());
    }
}
