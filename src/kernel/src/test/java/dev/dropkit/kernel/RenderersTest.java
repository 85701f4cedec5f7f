package dev.dropkit.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.plot.LineChart;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

class RenderersTest {
    private final Renderer renderer = new Renderer();

    RenderersTest() {
        Renderers.register(renderer);
    }

    private static BufferedImage decode(DisplayData data) throws IOException {
        Object png = data.getData(MIMEType.IMAGE_PNG);
        assertNotNull(png, "image/png");
        return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode((String) png)));
    }

    @Test
    void tableIsHtmlWithPlainText() {
        Table t = Table.create("t", DoubleColumn.create("x", 1.5, 2.5));
        DisplayData data = renderer.render(t);
        assertTrue(((String) data.getData(MIMEType.TEXT_HTML)).contains("<td>2.5</td>"));
        assertTrue(((String) data.getData(MIMEType.TEXT_PLAIN)).contains("2.5"));
    }

    @Test
    void imageIsPngOfTheSameSize() throws IOException {
        BufferedImage img = new BufferedImage(30, 20, BufferedImage.TYPE_INT_RGB);
        img.setRGB(3, 4, 0xff0000);
        BufferedImage back = decode(renderer.render(img));
        assertEquals(30, back.getWidth());
        assertEquals(20, back.getHeight());
        assertEquals(0xff0000, back.getRGB(3, 4) & 0xffffff);
        assertNotNull(renderer.render(img).getData(MIMEType.TEXT_PLAIN));
    }

    @Test
    void toolkitChartIsPngWithoutCallingImage() throws IOException {
        Table t = Table.create(
                "curve", DoubleColumn.create("epoch", 1, 2, 3), DoubleColumn.create("loss", 0.9, 0.5, 0.4));
        LineChart chart = LineChart.of(t, "epoch", "loss").size(320, 200);
        BufferedImage back = decode(renderer.render(chart));
        assertEquals(320, back.getWidth());
        assertEquals(200, back.getHeight());
    }
}
