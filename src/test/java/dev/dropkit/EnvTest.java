package dev.dropkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notebooks' configuration through environment variables (their values passed in directly). */
class EnvTest {
    @TempDir
    Path tmp;

    @Test
    void dropkitDataMustBeAFolderWhenSet() {
        assertEquals(tmp, Env.dataDir(tmp.toString()));
        assertEquals(Env.home().resolve("data"), Env.dataDir(""));
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> Env.dataDir(tmp.resolve("missing").toString()));
        assertTrue(
                e.getMessage().startsWith("DROPKIT_DATA=" + tmp.resolve("missing") + " is not a folder: point it"),
                e.getMessage());
    }

    @Test
    void dropkitThreadsMustBeAWholeNumberOfThreads() {
        assertEquals(1, Env.threadsSetting(" 1 "));
        for (String bad : new String[] {"abc", "0", "-2", "1.5", "100000"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Env.threadsSetting(bad));
            assertTrue(
                    e.getMessage().startsWith("DROPKIT_THREADS='" + bad + "' is not a thread count: set a whole"),
                    e.getMessage());
        }
    }
}
