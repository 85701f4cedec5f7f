package dev.dropkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks a folder of the four IDX files before DJL reads it. DJL's loader skips the header without looking at it,
 * so a truncated or wrong file would otherwise surface as a shape error deep inside the engine.
 */
public final class IdxFiles {
    /** The names DJL's MNIST-style loaders look for in a local repository. */
    public static final List<String> NAMES = List.of("train_data", "train_labels", "test_data", "test_labels");

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {}

    /**
     * Verifies presence, header, size and (for a known data set) the pinned SHA-256 of every file.
     *
     * @param dir folder holding train_data, train_labels, test_data, test_labels
     * @param known the data set whose checksums to check, or null for a custom folder (structure only)
     * @param fetchHint what the user should run to get the files (for the error message)
     * @return the number of training and test examples
     */
    public static int[] verify(Path dir, DatasetName known, String fetchHint) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("data folder " + dir + " does not exist: " + fetchHint);
        }
        int[] counts = new int[2];
        for (String split : List.of("train", "test")) {
            Path images = dir.resolve(split + "_data");
            Path labels = dir.resolve(split + "_labels");
            long n = checkHeader(images, IMAGES_MAGIC, fetchHint);
            long m = checkHeader(labels, LABELS_MAGIC, fetchHint);
            if (n != m) {
                throw new DataException(
                        images + " holds " + n + " images but " + labels + " holds " + m + " labels: " + fetchHint);
            }
            counts[split.equals("train") ? 0 : 1] = Math.toIntExact(n);
        }
        if (known != null) {
            for (String name : NAMES) {
                Path file = dir.resolve(name);
                String actual = sha256(file);
                if (!actual.equals(known.sha256(name))) {
                    throw new DataException(file + " is corrupt (SHA-256 " + actual.substring(0, 12)
                            + "… differs from the pinned " + known + " file): " + fetchHint);
                }
            }
        }
        return counts;
    }

    /** Reads the IDX header, checks the magic number and that the file is exactly as long as it declares. */
    private static long checkHeader(Path file, int magic, String fetchHint) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("missing data file " + file + ": " + fetchHint);
        }
        boolean images = magic == IMAGES_MAGIC;
        int headerBytes = images ? 16 : 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(headerBytes);
            while (header.hasRemaining() && ch.read(header) > 0) {
                // read the whole header
            }
            if (header.hasRemaining()) {
                throw new DataException(
                        file + " is truncated (shorter than its " + headerBytes + "-byte IDX header): " + fetchHint);
            }
            header.flip();
            int actualMagic = header.getInt();
            if (actualMagic != magic) {
                throw new DataException(String.format(
                        "%s is not an IDX %s file (magic 0x%08x, expected 0x%08x): %s",
                        file, images ? "image" : "label", actualMagic, magic, fetchHint));
            }
            long count = Integer.toUnsignedLong(header.getInt());
            long itemBytes = 1;
            if (images) {
                int rows = header.getInt();
                int cols = header.getInt();
                if (rows != 28 || cols != 28) {
                    throw new DataException(file + " holds " + rows + "x" + cols
                            + " images; the toolkit's loaders read 28x28: " + fetchHint);
                }
                itemBytes = 28L * 28L;
            }
            long expected = headerBytes + count * itemBytes;
            long actual = ch.size();
            if (actual != expected) {
                throw new DataException(file + " is " + (actual < expected ? "truncated" : "too long") + " (" + actual
                        + " bytes, its header declares " + expected + "): " + fetchHint);
            }
            return count;
        } catch (IOException e) {
            throw new DataException("cannot read " + file + " (" + e.getMessage() + "): " + fetchHint);
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // digest as we read
            }
            return HexFormat.of()
                    .formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
