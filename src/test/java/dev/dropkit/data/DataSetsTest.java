package dev.dropkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Own data from arrays, tables and CSV files: generated here, of other widths and class counts than MNIST. */
class DataSetsTest {
    @TempDir
    Path tmp;

    static float[][] blobs(int n, int features, int classes, int[] labels, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][features];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int j = 0; j < features; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j % classes == labels[i] ? 3 : 0));
            }
        }
        return x;
    }

    @Test
    void arraysOfAnyWidthAndClassCountSplitIntoTrainAndTest() {
        int[] y = new int[100];
        float[][] x = blobs(100, 7, 3, y, 1);
        try (ImageData d = DataSets.fromArrays(x, y)
                .testFraction(0.25)
                .validation(0)
                .seed(3)
                .build()) {
            assertEquals(7, d.features());
            assertEquals(3, d.classes());
            assertEquals(75, d.trainSize());
            assertEquals(25, d.testSize());
            assertEquals(List.of("0", "1", "2"), d.classNames());
            // Standardised with the training rows' statistics: each training feature has mean ~0.
            float[] col0 = d.trainX().get(":, 0").toFloatArray();
            double mean = 0;
            for (float v : col0) {
                mean += v / col0.length;
            }
            assertEquals(0, mean, 1e-4);
            assertEquals(7, d.scaling().offset().length);
        }
    }

    @Test
    void theSplitIsSeeded() {
        int[] y = new int[60];
        float[][] x = blobs(60, 4, 2, y, 2);
        try (ImageData a = DataSets.fromArrays(x, y).seed(5).build();
                ImageData b = DataSets.fromArrays(x, y).seed(5).build();
                ImageData c = DataSets.fromArrays(x, y).seed(6).build()) {
            assertArrayEquals(a.testX().toFloatArray(), b.testX().toFloatArray());
            assertTrue(
                    !java.util.Arrays.equals(a.testY().toLongArray(), c.testY().toLongArray())
                            || !java.util.Arrays.equals(
                                    a.testX().toFloatArray(), c.testX().toFloatArray()));
        }
    }

    @Test
    void tableWithCategoricalLabelsNamesTheClasses() {
        Table t = Table.create(
                "flowers",
                DoubleColumn.create("length", 1, 2, 3, 4, 5, 6),
                StringColumn.create("species", "rose", "tulip", "iris", "rose", "tulip", "iris"),
                DoubleColumn.create("width", 6, 5, 4, 3, 2, 1));
        try (ImageData d = DataSets.fromTable(t, "species")
                .testFraction(0.5)
                .standardize(false)
                .validation(0)
                .build()) {
            assertEquals(2, d.features());
            assertEquals(List.of("iris", "rose", "tulip"), d.classNames());
            assertEquals(FeatureScaling.NONE, d.scaling());
        }
    }

    @Test
    void csvFileWithNumericLabels() throws IOException {
        Path csv = tmp.resolve("points.csv");
        StringBuilder b = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < 40; i++) {
            b.append(i)
                    .append(',')
                    .append(i * 2)
                    .append(',')
                    .append(-i)
                    .append(',')
                    .append(i % 4)
                    .append('\n');
        }
        Files.writeString(csv, b);
        try (ImageData d = DataSets.fromCsv(csv, "label").validation(0).build()) {
            assertEquals(3, d.features());
            assertEquals(4, d.classes());
            assertEquals(32, d.trainSize());
            assertEquals("points", d.name());
        }
    }

    @Test
    void givenScalingIsUsedAndAllRowsCanBeTestData() {
        int[] y = new int[10];
        float[][] x = blobs(10, 2, 2, y, 4);
        FeatureScaling s = FeatureScaling.uniform(1, 2);
        try (ImageData d = DataSets.fromArrays(x, y).scaling(s).testFraction(1).build()) {
            assertEquals(10, d.testSize());
            assertEquals(0, d.trainSize());
            assertEquals((x[0][0] - 1) / 2, d.testX().getFloat(0, 0), 1e-6);
        }
    }

    private String error(String csv, String label) throws IOException {
        Path file = tmp.resolve("bad.csv");
        Files.writeString(file, csv);
        DataException e = assertThrows(
                DataException.class, () -> DataSets.fromCsv(file, label).build().close());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void badCsvFilesGetOneLineErrorsNamingLineAndColumn() throws IOException {
        assertTrue(error("", "label").contains("is empty"));
        assertTrue(error("a,label\n", "label").contains("no data lines"));
        String missing = error("a,b\n1,2\n3,4\n", "label");
        assertTrue(missing.contains("no label column 'label'") && missing.contains("[a, b]"), missing);
        String text = error("a,b,label\n1,2,0\n3,x,1\n", "label");
        assertTrue(text.contains("line 3") && text.contains("column 'b'") && text.contains("'x'"), text);
        String ragged = error("a,b,label\n1,2,0\n3,4\n", "label");
        assertTrue(ragged.contains("line 3 has 2 values") && ragged.contains("3 columns"), ragged);
        String one = error("a,label\n1,cat\n2,cat\n", "label");
        assertTrue(one.contains("one class only ('cat')"), one);
        String empty = error("a,b,label\n1,2,0\n3,,1\n", "label");
        assertTrue(empty.contains("line 3") && empty.contains("column 'b' is empty"), empty);
        String badLabel = error("a,label\n1,0\n2,1.5\n", "label");
        assertTrue(badLabel.contains("line 3") && badLabel.contains("class numbers"), badLabel);
        DataException none =
                assertThrows(DataException.class, () -> DataSets.fromCsv(tmp.resolve("nope.csv"), "label"));
        assertTrue(none.getMessage().contains("there is no file"), none.getMessage());
    }

    @Test
    void badArraysAreNamed() {
        DataException e = assertThrows(
                DataException.class, () -> DataSets.fromArrays(new float[][] {{1, 2}, {3}}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("row 1 has 1 features but row 0 has 2"), e.getMessage());
        e = assertThrows(DataException.class, () -> DataSets.fromArrays(new float[][] {{1}}, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("one label per row"), e.getMessage());
        e = assertThrows(DataException.class, () -> DataSets.fromArrays(new float[][] {{1}, {2}}, new int[] {0, -1}));
        assertTrue(e.getMessage().contains("row 1 has label -1"), e.getMessage());
    }

    @Test
    void writtenCsvReadsBackToTheSameRawValuesAndClassNames() {
        Table t = Table.create(
                "shapes",
                DoubleColumn.create("a", 0, 255, 17, 3.5, 8, 9),
                DoubleColumn.create("b", 1, 2, 3, 4, 5, 6),
                StringColumn.create(
                        "kind", "round, small", "square", "round, small", "square", "square", "round, small"));
        Path file = tmp.resolve("out/shapes.csv");
        try (ImageData d =
                DataSets.fromTable(t, "kind").testFraction(0.5).validation(0).build()) {
            assertEquals(3, Csv.write(d, file, "kind"));
            try (ImageData back = DataSets.fromCsv(file, "kind")
                    .testFraction(1)
                    .scaling(d.scaling())
                    .classNames(d.classNames())
                    .build()) {
                assertArrayEquals(d.trainX().toFloatArray(), back.testX().toFloatArray(), 1e-5f);
                assertArrayEquals(d.trainY().toLongArray(), back.testY().toLongArray());
            }
        }
        Table read = Csv.read(file);
        assertEquals(List.of("x1", "x2", "kind"), read.columnNames());
    }

    @Test
    void scalingRoundTripsThroughText() {
        FeatureScaling s = new FeatureScaling(new float[] {1.5f, -2f}, new float[] {0.25f, 3f});
        assertEquals(s, FeatureScaling.parse(s.format()));
        assertArrayEquals(new float[] {2f, 1f}, s.apply(new float[] {2f, 1f}), 1e-6f);
    }
}
