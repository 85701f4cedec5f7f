package dev.dropkit.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class SpreadChartTest {
    /** Two runs, two seeds each, three epochs: the shape of a sweep's stacked histories. */
    static Table seeds() {
        return Table.create(
                "runs",
                StringColumn.create("run", "a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b"),
                LongColumn.create("seed", 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2),
                IntColumn.create("epoch", 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3),
                DoubleColumn.create(
                        "val_accuracy", 0.90, 0.94, 0.96, 0.86, 0.92, 0.95, 0.80, 0.85, 0.90, 0.82, 0.87, 0.91));
    }

    @Test
    void pointsAreMeanMinAndMaxOverTheSeedsOfEachRunAndEpoch() {
        Table points =
                SpreadChart.of(seeds(), "epoch", "val_accuracy").by("run").points();
        assertEquals(6, points.rowCount());
        assertEquals(
                List.of("a", "a", "a", "b", "b", "b"),
                points.stringColumn(SpreadChart.GROUP).asList());
        assertArrayEquals(
                new double[] {1, 2, 3, 1, 2, 3}, points.doubleColumn("epoch").asDoubleArray());
        assertArrayEquals(
                new double[] {0.88, 0.93, 0.955, 0.81, 0.86, 0.905},
                points.doubleColumn(SpreadChart.MEAN).asDoubleArray(),
                1e-12);
        assertArrayEquals(
                new double[] {0.86, 0.92, 0.95, 0.80, 0.85, 0.90},
                points.doubleColumn(SpreadChart.MIN).asDoubleArray(),
                1e-12);
        assertArrayEquals(
                new double[] {0.90, 0.94, 0.96, 0.82, 0.87, 0.91},
                points.doubleColumn(SpreadChart.MAX).asDoubleArray(),
                1e-12);
        assertArrayEquals(
                new int[] {2, 2, 2, 2, 2, 2},
                points.intColumn(SpreadChart.SEEDS).asIntArray());
    }

    @Test
    void errorBarsSpanTheSeedRangeAndTheLineJoinsTheMeans() {
        XYChart chart =
                SpreadChart.of(seeds(), "epoch", "val_accuracy").by("run").chart();
        assertEquals(4, chart.getSeriesCollection().size(), "a line and a range series per run");
        XYSeries line = chart.getSeries("a");
        assertArrayEquals(new double[] {0.88, 0.93, 0.955}, line.getYData(), 1e-12);
        XYSeries range = chart.getSeries("a (seed range)");
        assertFalse(range.isShowInLegend());
        double[] mid = range.getYData();
        double[] half = range.getExtraValues();
        assertArrayEquals(
                new double[] {0.86, 0.92, 0.95},
                new double[] {mid[0] - half[0], mid[1] - half[1], mid[2] - half[2]},
                1e-12);
        assertArrayEquals(
                new double[] {0.90, 0.94, 0.96},
                new double[] {mid[0] + half[0], mid[1] + half[1], mid[2] + half[2]},
                1e-12);
        assertEquals(line.getLineColor(), range.getLineColor(), "the bars take their line's colour");
    }

    @Test
    void aPointWithASeedWithoutValueIsLeftOut() {
        Table t = Table.create(
                "trials",
                DoubleColumn.create("dropout", 0.0, 0.0, 0.5, 0.5),
                DoubleColumn.create("epochs_to_target", 3, 4, 6, Double.NaN));
        SpreadChart spread = SpreadChart.of(t, "dropout", "epochs_to_target");
        assertTrue(spread.points().doubleColumn(SpreadChart.MEAN).isMissing(1));
        XYSeries line = spread.chart().getSeries("epochs_to_target");
        assertArrayEquals(new double[] {0.0}, line.getXData());
        assertArrayEquals(new double[] {3.5}, line.getYData());
    }

    @Test
    void numericGroupsAreNamedByTheirValue() {
        Table t = Table.create(
                "trials",
                DoubleColumn.create("lr", 0.1, 0.1, 0.01, 0.01),
                DoubleColumn.create("dropout", 0.5, 0.5, 0.5, 0.5),
                DoubleColumn.create("val_accuracy", 0.9, 0.92, 0.8, 0.84));
        Table points = SpreadChart.of(t, "dropout", "val_accuracy").by("lr").points();
        assertEquals(
                List.of("0.1", "0.01"), points.stringColumn(SpreadChart.GROUP).asList());
        assertArrayEquals(
                new double[] {0.91, 0.82}, points.doubleColumn(SpreadChart.MEAN).asDoubleArray(), 1e-12);
    }

    @Test
    void rendersAnImage() {
        BufferedImage image = SpreadChart.of(seeds(), "epoch", "val_accuracy")
                .by("run")
                .title("t")
                .size(500, 300)
                .image();
        assertEquals(500, image.getWidth());
        assertEquals(300, image.getHeight());
        int first = image.getRGB(0, 0);
        boolean varied = false;
        for (int x = 0; x < image.getWidth() && !varied; x += 3) {
            for (int y = 0; y < image.getHeight() && !varied; y += 3) {
                varied = image.getRGB(x, y) != first;
            }
        }
        assertTrue(varied);
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SpreadChart.of(seeds(), "run", "val_accuracy"));
        assertTrue(e.getMessage().contains("'run' is not numeric"), e.getMessage());
        Table none = Table.create(
                "trials",
                DoubleColumn.create("dropout", 0.5, 0.5),
                DoubleColumn.create("epochs_to_target", Double.NaN, 4));
        e = assertThrows(IllegalArgumentException.class, () -> SpreadChart.of(none, "dropout", "epochs_to_target")
                .chart());
        assertTrue(e.getMessage().contains("for every seed"), e.getMessage());
    }
}
