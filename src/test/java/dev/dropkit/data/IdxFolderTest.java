package dev.dropkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFolderTest {
    private static final Map<String, String> ORIGINAL = Map.of(
            "train_data",
            "train-images-idx3-ubyte",
            "train_labels",
            "train-labels-idx1-ubyte",
            "test_data",
            "t10k-images-idx3-ubyte",
            "test_labels",
            "t10k-labels-idx1-ubyte");

    @TempDir
    Path tmp;

    @Test
    void theToolkitsOwnLayoutIsReadInPlace() throws IOException {
        Path dir = IdxFixtures.write(tmp.resolve("plain"), 120, 40);
        try (IdxFolder folder = IdxFolder.open(dir)) {
            assertEquals(dir, folder.path());
            try (ImageData data = folder.data().build()) {
                assertEquals(120, data.trainSize() + data.valSize());
            }
        }
        assertTrue(Files.exists(dir.resolve("train_data")), "the user's files stay");
    }

    @Test
    void theDistributionLayoutGzippedIsStagedAndCleanedUp() throws IOException {
        Path plain = IdxFixtures.write(tmp.resolve("plain"), 120, 40);
        Path gz = Files.createDirectories(tmp.resolve("gz"));
        for (var e : ORIGINAL.entrySet()) {
            gzip(Files.readAllBytes(plain.resolve(e.getKey())), gz.resolve(e.getValue() + ".gz"));
        }
        Path staged;
        try (IdxFolder folder = IdxFolder.open(gz);
                ImageData data = folder.data().build();
                ImageData reference = ImageData.fromFolder(plain).build()) {
            staged = folder.path();
            assertFalse(staged.equals(gz));
            assertEquals(40, data.testSize());
            assertTrue(
                    Arrays.equals(reference.testY().toLongArray(), data.testY().toLongArray()), "same labels");
        }
        assertFalse(Files.exists(staged), "the staged copy is deleted on close");
        assertEquals(4, Files.list(gz).count(), "the user's folder is untouched");
    }

    @Test
    void errorsNameTheUsersFileNotTheStagedCopy() throws IOException {
        Path plain = IdxFixtures.write(tmp.resolve("plain"), 120, 40);
        Path mixed = Files.createDirectories(tmp.resolve("mixed"));
        for (var e : ORIGINAL.entrySet()) {
            Files.copy(plain.resolve(e.getKey()), mixed.resolve(e.getValue()));
        }
        byte[] images = Files.readAllBytes(plain.resolve("test_data"));
        Files.write(mixed.resolve("t10k-images-idx3-ubyte"), Arrays.copyOf(images, images.length - 100));
        DataException e = assertThrows(DataException.class, () -> IdxFolder.open(mixed));
        assertTrue(
                e.getMessage()
                        .startsWith(mixed.resolve("t10k-images-idx3-ubyte").toAbsolutePath() + " is truncated"),
                e.getMessage());
        assertFalse(e.getMessage().contains("dropkit-idx-"), e.getMessage());

        Files.delete(mixed.resolve("train-labels-idx1-ubyte"));
        e = assertThrows(DataException.class, () -> IdxFolder.open(mixed));
        assertTrue(
                e.getMessage()
                        .contains("has no training-label file (looked for train_labels, " + "train-labels-idx1-ubyte"),
                e.getMessage());

        Files.write(mixed.resolve("train-labels-idx1-ubyte.gz"), "plain text, not gzip".getBytes());
        e = assertThrows(DataException.class, () -> IdxFolder.open(mixed));
        assertTrue(
                e.getMessage()
                        .startsWith(mixed.resolve("train-labels-idx1-ubyte.gz").toAbsolutePath()
                                + " is not a valid gzip file"),
                e.getMessage());

        e = assertThrows(DataException.class, () -> IdxFolder.open(tmp.resolve("absent")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    private static void gzip(byte[] bytes, Path file) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(bytes);
        }
    }
}
