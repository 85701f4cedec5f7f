package dev.dropkit.data;

import dev.dropkit.AtomicFiles;
import dev.dropkit.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Generated MNIST-format data for a test class, loaded before its tests, with the engine on one intra-op thread
 * while they run (the previous count is restored after): {@code @RegisterExtension static final GeneratedSet SET =
 * new GeneratedSet(600, 200, 0.2);} then {@code SET.data()}.
 */
public final class GeneratedSet implements BeforeAllCallback, AfterAllCallback {
    private final int train;
    private final int test;
    private final double validation;
    private Path dir;
    private ImageData data;
    private int threads;

    /** {@code train} training and {@code test} test images, {@code validation} of the training ones held out. */
    public GeneratedSet(int train, int test, double validation) {
        this.train = train;
        this.test = test;
        this.validation = validation;
    }

    public ImageData data() {
        return data;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("dropkit-generated-set");
        data = ImageData.fromFolder(IdxFixtures.write(dir, train, test))
                .validation(validation)
                .build();
        threads = Env.threads();
        Env.threads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Env.threads(threads);
        data.close();
        AtomicFiles.deleteTree(dir);
    }
}
