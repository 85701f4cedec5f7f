package dev.dropkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDataTest {
    @TempDir
    Path tmp;

    @Test
    void loadsAFolderAsInMemoryTensors() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 300, 100);
        try (ImageData data = ImageData.fromFolder(dir).validation(0).build()) {
            assertEquals(new Shape(300, 784), data.trainX().getShape());
            assertEquals(new Shape(100, 784), data.testX().getShape());
            assertEquals(DataType.FLOAT32, data.trainX().getDataType());
            assertEquals(DataType.INT64, data.trainY().getDataType());
            assertEquals(0f, data.trainX().min().getFloat(), 1e-6);
            assertTrue(data.trainX().max().getFloat() <= 1f);
            assertTrue(data.trainX().max().getFloat() > 0.78f);
            // Labels come through unchanged: compare with the bytes of the file.
            byte[] raw = Files.readAllBytes(dir.resolve("test_labels"));
            long[] expected = new long[100];
            for (int i = 0; i < 100; i++) {
                expected[i] = raw[8 + i];
            }
            assertArrayEquals(expected, data.testY().toLongArray());
        }
    }

    @Test
    void standardizeGivesZeroMeanUnitStd() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 200, 50);
        try (ImageData data = ImageData.fromFolder(dir)
                .normalization(Normalization.STANDARDIZE)
                .build()) {
            float mean = data.trainX().mean().getFloat();
            float std =
                    (float) Math.sqrt(data.trainX().sub(mean).square().mean().getFloat());
            assertEquals(0, mean, 1e-4);
            assertEquals(1, std, 1e-3);
        }
    }

    @Test
    void validationIsASeededDisjointPartOfTheTrainingImages() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 300, 100);
        try (ImageData all = ImageData.fromFolder(dir).validation(0).build();
                ImageData split = ImageData.fromFolder(dir).build();
                ImageData again = ImageData.fromFolder(dir).build();
                ImageData other = ImageData.fromFolder(dir).seed(2).build();
                ImageData quarter = ImageData.fromFolder(dir).validation(0.25).build()) {
            assertFalse(all.hasValidation());
            assertEquals(0, all.valSize());
            assertEquals(ImageData.DEFAULT_VALIDATION, 0.1);
            assertEquals(30, split.valSize());
            assertEquals(270, split.trainSize());
            assertEquals(75, quarter.valSize());
            assertEquals(100, split.testSize(), "the test set is untouched");
            assertEquals(new Shape(30, 784), split.valX().getShape());
            assertEquals(30, split.valY().getShape().get(0));
            // Disjoint and complete: every image of the file is in exactly one of training and validation.
            java.util.Set<String> training = rows(split.trainX());
            java.util.Set<String> validation = rows(split.valX());
            assertEquals(270, training.size());
            assertEquals(30, validation.size());
            assertTrue(java.util.Collections.disjoint(training, validation));
            java.util.Set<String> union = new java.util.HashSet<>(training);
            union.addAll(validation);
            assertEquals(rows(all.trainX()), union);
            assertEquals(validation, rows(again.valX()), "same seed, same split");
            assertFalse(validation.equals(rows(other.valX())), "another seed, another split");
        }
        try (ImageData subset =
                ImageData.fromFolder(dir).trainSubset(200).validation(0.1).build()) {
            assertEquals(180, subset.trainSize(), "the subset is drawn first, then split");
            assertEquals(20, subset.valSize());
        }
    }

    private static java.util.Set<String> rows(ai.djl.ndarray.NDArray x) {
        float[] v = x.toFloatArray();
        int n = Math.toIntExact(x.getShape().get(0));
        java.util.Set<String> rows = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            rows.add(Arrays.toString(Arrays.copyOfRange(v, i * 784, (i + 1) * 784)));
        }
        return rows;
    }

    @Test
    void badValidationSettingsAreOneLineErrors() throws IOException {
        for (double bad : new double[] {-0.1, 1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ImageData.builder("mnist")
                    .validation(bad));
            assertTrue(
                    e.getMessage().contains("outside [0, 1)") && e.getMessage().contains("0.1"), e.getMessage());
            assertOneLine(e, "validation fraction");
        }
        Path dir = IdxFixtures.write(tmp.resolve("set"), 300, 100);
        var small = assertThrows(
                IllegalArgumentException.class,
                () -> ImageData.fromFolder(dir).trainSubset(50).validation(0.1).build());
        assertOneLine(small, "too few for one image of each of its 10 classes");
        assertTrue(small.getMessage().contains("raise the fraction"), small.getMessage());
        try (ImageData none = ImageData.fromFolder(dir).validation(0).build()) {
            var missing = assertThrows(IllegalStateException.class, none::valX);
            assertOneLine(missing, "validation(0.1)");
        }
    }

    @Test
    void subsetIsASeededDrawWithoutRepeats() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 300, 100);
        try (ImageData a = ImageData.fromFolder(dir)
                        .trainSubset(50)
                        .testSubset(20)
                        .validation(0)
                        .seed(3)
                        .build();
                ImageData b = ImageData.fromFolder(dir)
                        .trainSubset(50)
                        .testSubset(20)
                        .validation(0)
                        .seed(3)
                        .build()) {
            assertEquals(50, a.trainSize());
            assertEquals(20, a.testSize());
            assertArrayEquals(a.trainY().toLongArray(), b.trainY().toLongArray());
        }
        long[] idx = ImageData.Builder.sample(1000, 100, 9);
        assertEquals(100, Arrays.stream(idx).distinct().count());
        assertTrue(Arrays.stream(idx).allMatch(i -> i >= 0 && i < 1000));
    }

    @Test
    void missingFolderSaysHowToFetch() {
        DataException e = assertThrows(
                DataException.class,
                () -> ImageData.builder("mnist").dataDir(tmp.resolve("nowhere")).build());
        assertOneLine(e, "does not exist", "./run setup");
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 30, 10);
        Files.delete(dir.resolve("test_labels"));
        assertOneLine(
                assertThrows(
                        DataException.class, () -> ImageData.fromFolder(dir).build()),
                "missing data file",
                "test_labels");
    }

    @Test
    void truncatedFileIsNamed() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 30, 10);
        Path file = dir.resolve("train_data");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        assertOneLine(
                assertThrows(
                        DataException.class, () -> ImageData.fromFolder(dir).build()),
                "train_data is truncated");
        Files.write(file, Arrays.copyOf(bytes, 10));
        assertOneLine(
                assertThrows(
                        DataException.class, () -> ImageData.fromFolder(dir).build()),
                "train_data is truncated",
                "header");
    }

    @Test
    void wrongMagicIsNamed() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("set"), 30, 10);
        try (var ch = Files.newByteChannel(dir.resolve("test_data"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0x1f8b0808).flip());
        }
        assertOneLine(
                assertThrows(
                        DataException.class, () -> ImageData.fromFolder(dir).build()),
                "test_data is not an IDX image file",
                "magic");
    }

    @Test
    void labelCountMustMatchImageCount() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("a"), 30, 10);
        Path other = IdxFixtures.write(tmp.resolve("b"), 31, 10);
        Files.copy(
                other.resolve("train_labels"),
                dir.resolve("train_labels"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertOneLine(
                assertThrows(
                        DataException.class, () -> ImageData.fromFolder(dir).build()),
                "30 images",
                "31 labels");
    }

    @Test
    void knownSetWithWrongContentIsCorrupt() throws IOException {
        Path data = tmp.resolve("data");
        IdxFixtures.write(data.resolve("mnist"), 30, 10);
        DataException e = assertThrows(
                DataException.class,
                () -> ImageData.builder("mnist").dataDir(data).build());
        assertOneLine(e, "is corrupt", "SHA-256", "./run setup");
    }

    @Test
    void unknownDataSetNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageData.load("cifar"));
        assertOneLine(e, "unknown data set 'cifar'", "mnist, fashion-mnist");
        assertEquals(DatasetName.FASHION_MNIST, DatasetName.parse("Fashion_MNIST"));
    }

    static void assertOneLine(Exception e, String... parts) {
        String message = e.getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' in: " + message);
        }
    }
}
