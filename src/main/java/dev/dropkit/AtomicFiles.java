package dev.dropkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Nothing half-written: files and folders are written aside under a hidden temporary name in the target's folder and
 * moved into place in one rename, so an interrupted or failed write leaves the old file (or nothing), never a
 * truncated one. The one place for this idiom in the library.
 */
public final class AtomicFiles {
    /** Writes a file at the path it is given (a temporary sibling of the target). */
    @FunctionalInterface
    public interface Writer {
        void write(Path file) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Lets {@code writer} write a temporary file next to {@code target} (same extension, so that writers that add
     * one still match) and moves it onto {@code target}; the temporary file is removed if anything fails.
     */
    public static Path write(Path target, Writer writer) {
        Path abs = target.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot) : "";
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(
                    abs.getParent(), "." + (dot > 0 ? name.substring(0, dot) : name) + ".partial-", ext);
            try {
                writer.write(tmp);
                moveIntoPlace(tmp, abs);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Moves a complete file or folder {@code from} onto {@code target} in one rename (same file system). */
    public static void moveIntoPlace(Path from, Path target) throws IOException {
        Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes {@code root} and everything under it; nothing happens when it does not exist. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
