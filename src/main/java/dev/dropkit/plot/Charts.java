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
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * Writes the chart as a PNG file, through a temporary file moved into place so that an interrupted write never
     * leaves a half-written image.
     */
    public static Path save(Chart<?, ?> chart, Path file) {
        Path target = file.toString().endsWith(".png") ? file : Path.of(file + ".png");
        // BitmapEncoder adds ".png" itself: give it the temporary name without it.
        return AtomicFiles.write(target, tmp -> BitmapEncoder.saveBitmap(chart,
                tmp.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG));
    }
}
