package dev.dropkit.data;

import dev.dropkit.AtomicFiles;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A user's folder of the four MNIST-format IDX files in whatever layout it comes: the toolkit's names
 * ({@code train_data}...) or the original distribution's ({@code train-images-idx3-ubyte}..., also with a '.' before
 * {@code idx}), each plain or gzip-compressed. {@link ImageData#fromFolder} reads only the toolkit's uncompressed
 * names (DJL's loader), so other layouts are staged into a temporary folder (plain files linked, .gz files
 * decompressed) that {@link #close()} deletes. Errors always name the user's own file, never the staged copy.
 *
 * <pre>{@code
 * try (IdxFolder folder = IdxFolder.open(Path.of("downloads/fashion"));
 *         ImageData data = folder.data().trainSubset(5000).build()) { ... }
 * }</pre>
 */
public final class IdxFolder implements AutoCloseable {
    /** Accepted names per toolkit name, in order of preference; each may also end in ".gz". */
    static final Map<String, List<String>> ALIASES = aliases();

    static final String HINT =
            "give --data-dir a folder with the four MNIST-format IDX files (train-images-idx3-ubyte, "
                    + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, plain or .gz)";

    private final Path path;
    private final Path staging;
    private final Map<Path, String> stagedToOriginal;

    private IdxFolder(Path path, Path staging, Map<Path, String> stagedToOriginal) {
        this.path = path;
        this.staging = staging;
        this.stagedToOriginal = stagedToOriginal;
    }

    /** Finds the four files in {@code dir}, stages them if needed and checks their IDX structure. */
    public static IdxFolder open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("data folder " + dir + " does not exist or is not a folder: " + HINT);
        }
        Map<String, Path> found = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> role : ALIASES.entrySet()) {
            found.put(role.getKey(), find(dir, role.getKey(), role.getValue()));
        }
        boolean ready = found.entrySet().stream()
                .allMatch(e -> e.getValue().getFileName().toString().equals(e.getKey()));
        IdxFolder folder = ready ? new IdxFolder(dir, null, Map.of()) : stage(dir, found);
        try {
            folder.check();
            return folder;
        } catch (RuntimeException e) {
            folder.close();
            throw e;
        }
    }

    /** The folder with the toolkit's names (the user's own folder when it already has them). */
    public Path path() {
        return path;
    }

    /** A builder reading this folder; errors it raises name the user's files. */
    public ImageData.Builder data() {
        return ImageData.fromFolder(path);
    }

    /** Rewrites a message that names staged copies so that it names the user's files. */
    public String explain(String message) {
        String text = message == null ? "" : message;
        for (Map.Entry<Path, String> e : stagedToOriginal.entrySet()) {
            text = text.replace(e.getKey().toString(), e.getValue());
        }
        return text;
    }

    /** Deletes the staged copy (the user's folder is never touched). */
    @Override
    public void close() {
        if (staging != null) {
            AtomicFiles.deleteTree(staging);
        }
    }

    private void check() {
        try {
            IdxFiles.verify(path, null, HINT);
        } catch (DataException e) {
            throw new DataException(explain(e.getMessage()));
        }
    }

    private static Path find(Path dir, String role, List<String> names) {
        for (String name : names) {
            for (String candidate : List.of(name, name + ".gz")) {
                Path file = dir.resolve(candidate);
                if (Files.isRegularFile(file)) {
                    return file;
                }
            }
        }
        throw new DataException("data folder " + dir + " has no " + describe(role) + " file (looked for "
                + String.join(", ", names) + ", each also as .gz): " + HINT);
    }

    private static IdxFolder stage(Path dir, Map<String, Path> found) {
        Path staging;
        try {
            staging = Files.createTempDirectory("dropkit-idx-");
        } catch (IOException e) {
            throw new DataException("cannot create a temporary folder to unpack " + dir + " (" + e.getMessage()
                    + "): free some space in " + System.getProperty("java.io.tmpdir") + " or set -Djava.io.tmpdir");
        }
        Map<Path, String> names = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> e : found.entrySet()) {
                Path source = e.getValue().toAbsolutePath();
                Path target = staging.resolve(e.getKey());
                boolean gz = source.getFileName().toString().endsWith(".gz");
                names.put(target, gz ? source + " (decompressed)" : source.toString());
                if (gz) {
                    gunzip(source, target);
                } else {
                    Files.createSymbolicLink(target, source);
                }
            }
            return new IdxFolder(staging, staging, names);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTree(staging);
            if (e instanceof DataException de) {
                throw de;
            }
            throw new DataException("cannot stage " + dir + " into " + staging + " (" + e.getMessage() + "): " + HINT);
        }
    }

    private static void gunzip(Path source, Path target) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source), 1 << 16)) {
            Files.copy(in, target);
        } catch (EOFException e) {
            throw new DataException(source + " is truncated (the gzip stream ends early): fetch the file again");
        } catch (ZipException e) {
            throw new DataException(source + " is not a valid gzip file (" + e.getMessage()
                    + "): fetch it again, or decompress it yourself and give the plain file");
        } catch (IOException e) {
            throw new DataException("cannot decompress " + source + " (" + e.getMessage() + "): " + HINT);
        }
    }

    private static String describe(String role) {
        return switch (role) {
            case "train_data" -> "training-image";
            case "train_labels" -> "training-label";
            case "test_data" -> "test-image";
            default -> "test-label";
        };
    }

    private static Map<String, List<String>> aliases() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("train_data", List.of("train_data", "train-images-idx3-ubyte", "train-images.idx3-ubyte"));
        m.put("train_labels", List.of("train_labels", "train-labels-idx1-ubyte", "train-labels.idx1-ubyte"));
        m.put("test_data", List.of("test_data", "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"));
        m.put("test_labels", List.of("test_labels", "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"));
        return m;
    }
}
