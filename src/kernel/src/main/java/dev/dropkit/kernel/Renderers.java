package dev.dropkit.kernel;

import dev.dropkit.experiment.RunSummary;
import dev.dropkit.plot.ChartSpec;
import dev.dropkit.plot.Charts;
import dev.dropkit.train.History;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * How the kernel shows the toolkit's objects: tables as HTML (with plain text), charts and images as PNG,
 * histories and summaries as their tables. Everything else falls back to the protocol library's text/plain.
 */
final class Renderers {
    private Renderers() {}

    /** Registers the toolkit's types; a no-op (with a note on stderr) when the toolkit is not on the class path. */
    static void register(Renderer renderer) {
        if (!toolkitPresent()) {
            System.err.println("dropkit kernel: the toolkit (dev.dropkit) is not on the class path; tables and"
                    + " charts show as text. Build it with environment/setup.sh.");
            renderer.createRegistration(RenderedImage.class)
                    .preferring(MIMEType.IMAGE_PNG)
                    .supporting(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                    .register((img, ctx) -> image(img, ctx.getOutputContainer()));
            return;
        }
        ToolkitRenderers.register(renderer);
    }

    static boolean toolkitPresent() {
        try {
            Class.forName("dev.dropkit.train.Progress", false, Renderers.class.getClassLoader());
            Class.forName("tech.tablesaw.api.Table", false, Renderers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    static void image(RenderedImage img, DisplayData out) {
        out.putData(MIMEType.IMAGE_PNG, png(img));
        out.putText("<image " + img.getWidth() + "x" + img.getHeight() + ">");
    }

    static String png(RenderedImage img) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", bytes)) {
                throw new IllegalStateException("no PNG writer for this image");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    /** The registrations that name toolkit classes (loaded only when the toolkit is there). */
    static final class ToolkitRenderers {
        private ToolkitRenderers() {}

        static void table(Table table, DisplayData out) {
            out.putHTML(TableHtml.html(table));
            out.putText(TableHtml.text(table));
        }

        static void register(Renderer renderer) {
            renderer.createRegistration(Table.class)
                    .preferring(MIMEType.TEXT_HTML)
                    .supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
                    .register((t, ctx) -> table(t, ctx.getOutputContainer()));
            renderer.createRegistration(History.class)
                    .preferring(MIMEType.TEXT_HTML)
                    .supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
                    .register((h, ctx) -> table(h.table(), ctx.getOutputContainer()));
            renderer.createRegistration(RunSummary.class)
                    .preferring(MIMEType.TEXT_HTML)
                    .supporting(MIMEType.TEXT_HTML, MIMEType.TEXT_PLAIN)
                    .register((s, ctx) -> table(s.table(), ctx.getOutputContainer()));
            renderer.createRegistration(ChartSpec.class)
                    .preferring(MIMEType.IMAGE_PNG)
                    .supporting(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                    .register((c, ctx) -> image(c.image(), ctx.getOutputContainer()));
            renderer.createRegistration(Chart.class)
                    .preferring(MIMEType.IMAGE_PNG)
                    .supporting(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                    .register((c, ctx) -> image(Charts.image(c), ctx.getOutputContainer()));
            renderer.createRegistration(RenderedImage.class)
                    .preferring(MIMEType.IMAGE_PNG)
                    .supporting(MIMEType.IMAGE_PNG, MIMEType.TEXT_PLAIN)
                    .register((img, ctx) -> image(img, ctx.getOutputContainer()));
        }
    }
}
