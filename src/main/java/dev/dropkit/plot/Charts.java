package dev.dropkit.plot;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Rendering of any XChart chart: to an image for {@code display(...)}, or to a PNG file. */
public final class Charts {
    private Charts() {}

    /** The chart as an image; {@code display(image)} shows it inline in IJava, JJava and rapaio. */
    public static BufferedImage image(Chart<?, ?> chart) {
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Writes the chart as a PNG file, through a temporary file moved into place so that an interrupted write never
     * leaves a half-written image.
     */
    public static Path save(Chart<?, ?> chart, Path file) {
        Path target = file.toString().endsWith(".png") ? file : Path.of(file + ".png");
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".chart-", ".png");
            try {
                BitmapEncoder.saveBitmap(chart, tmp.toString().replaceFirst("\\.png$", ""),
                        BitmapEncoder.BitmapFormat.PNG);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + target + ": " + e.getMessage(), e);
        }
    }
}
