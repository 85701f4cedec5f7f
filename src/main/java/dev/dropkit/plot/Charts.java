package dev.dropkit.plot;

import dev.dropkit.AtomicFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** Rendering of any XChart chart: to an image for {@code display(...)}, or to a PNG file. */
public final class Charts {
    private Charts() {}

    /** The chart as an image; {@code display(image)} shows it inline in IJava, JJava and rapaio. */
    public static BufferedImage image(Chart<?, ?> chart) {
        return image(chart, 1);
    }

    /** The chart drawn {@code scale} times as many pixels wide and high (2 for high-density screens). */
    public static BufferedImage image(Chart<?, ?> chart, double scale) {
        if (scale == 1) {
            return BitmapEncoder.getBufferedImage(chart);
        }
        BufferedImage image = new BufferedImage(
                (int) Math.round(chart.getWidth() * scale),
                (int) Math.round(chart.getHeight() * scale),
                BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        try {
            g.scale(scale, scale);
            chart.paint(g, chart.getWidth(), chart.getHeight());
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * Writes the chart as a PNG file, through a temporary file moved into place so that an interrupted write never
     * leaves a half-written image.
     */
    public static Path save(Chart<?, ?> chart, Path file) {
        return save(chart, file, 1);
    }

    /** As {@link #save(Chart, Path)}, drawn {@code scale} times as many pixels wide and high. */
    public static Path save(Chart<?, ?> chart, Path file, double scale) {
        Path target = file.toString().endsWith(".png") ? file : Path.of(file + ".png");
        return AtomicFiles.write(target, tmp -> {
            if (!javax.imageio.ImageIO.write(image(chart, scale), "png", tmp.toFile())) {
                throw new java.io.IOException("no PNG writer");
            }
        });
    }
}
