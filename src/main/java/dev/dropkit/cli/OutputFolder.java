package dev.dropkit.cli;

import dev.dropkit.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * Where a command writes its results: a hidden temporary folder next to the target, renamed onto the target in one
 * step once every file is complete. An interrupted or failed run leaves no half-written results: the temporary
 * folder is deleted on close and, for Ctrl-C, by a shutdown hook.
 */
final class OutputFolder implements AutoCloseable {
    private final Path target;
    private final Path work;
    private final Thread cleanup;
    private boolean committed;

    private OutputFolder(Path target, Path work) {
        this.target = target;
        this.work = work;
        this.cleanup = new Thread(() -> deleteTree(work), "dropkit-output-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Checks that {@code target} can be written (absent or an empty folder) and creates the temporary folder. */
    static OutputFolder create(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !isEmptyDirectory(abs)) {
            throw new UsageException("--out " + target + " already exists and is not an empty folder: choose a new "
                    + "folder (results are never overwritten)");
        }
        Path parent = abs.getParent();
        try {
            Files.createDirectories(parent);
            return new OutputFolder(abs, Files.createTempDirectory(parent, "." + abs.getFileName() + ".partial-"));
        } catch (IOException | SecurityException e) {
            throw new UsageException("cannot write results to --out " + target + " (" + reason(e)
                    + "): choose a folder you can write to");
        }
    }

    /** The folder to write into until {@link #commit()}. */
    Path work() {
        return work;
    }

    /** Moves the complete results into place in one rename. */
    Path commit() {
        try {
            // Temporary files are private (0600/0700); results are ordinary files, readable like any others.
            try (Stream<Path> files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            AtomicFiles.moveIntoPlace(work, target);
            committed = true;
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot move the results from " + work + " to " + target + " (" + reason(e) + ")", e);
        }
    }

    @Override
    public void close() {
        if (!committed) {
            deleteTree(work);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook does the same
        }
    }

    private static boolean isEmptyDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static String reason(Exception e) {
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a folder";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "the folder is not empty";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Best effort: a leftover hidden .partial folder is harmless and named as such. */
    private static void deleteTree(Path root) {
        try {
            AtomicFiles.deleteTree(root);
        } catch (UncheckedIOException e) {
            // leave it
        }
    }
}
