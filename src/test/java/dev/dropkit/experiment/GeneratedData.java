package dev.dropkit.experiment;

import dev.dropkit.data.IdxFixtures;
import dev.dropkit.data.ImageData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Small generated data sets (learnable bands, {@link IdxFixtures}) so that unit tests need no installed data. */
public final class GeneratedData {
    private GeneratedData() {}

    /** {@code train} training and {@code test} test images written under {@code dir}, loaded. */
    public static ImageData load(Path dir, int train, int test) {
        try {
            return ImageData.fromFolder(IdxFixtures.write(dir, train, test)).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same with a validation split of {@code fraction}. */
    public static ImageData withValidation(Path dir, int train, int test, double fraction) {
        try {
            return ImageData.fromFolder(IdxFixtures.write(dir, train, test))
                    .validation(fraction)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
