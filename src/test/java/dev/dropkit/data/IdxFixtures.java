package dev.dropkit.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes small, valid MNIST-format folders for tests: class k images are bright in row band k. */
public final class IdxFixtures {
    private IdxFixtures() {}

    public static Path write(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(7);
        split(dir, "train", train, random);
        split(dir, "test", test, random);
        return dir;
    }

    private static void split(Path dir, String split, int n, Random random) throws IOException {
        byte[][] files = images(n, random);
        Files.write(dir.resolve(split + "_data"), files[0]);
        Files.write(dir.resolve(split + "_labels"), files[1]);
    }

    /** The bytes of an IDX image file and its label file holding {@code n} examples. */
    public static byte[][] images(int n, Random random) {
        ByteBuffer images = ByteBuffer.allocate(16 + n * 784)
                .putInt(IdxFiles.IMAGES_MAGIC)
                .putInt(n)
                .putInt(28)
                .putInt(28);
        ByteBuffer labels =
                ByteBuffer.allocate(8 + n).putInt(IdxFiles.LABELS_MAGIC).putInt(n);
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(10);
            labels.put((byte) label);
            for (int p = 0; p < 784; p++) {
                boolean on = p / 28 / 2 == label + 2 && random.nextDouble() < 0.9;
                images.put((byte) (on ? 200 + random.nextInt(56) : random.nextInt(30)));
            }
        }
        return new byte[][] {images.array(), labels.array()};
    }
}
