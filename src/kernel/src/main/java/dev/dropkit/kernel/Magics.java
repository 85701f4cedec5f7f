package dev.dropkit.kernel;

import eu.maveniverse.maven.mima.context.Context;
import eu.maveniverse.maven.mima.context.ContextOverrides;
import eu.maveniverse.maven.mima.context.Runtimes;
import java.io.File;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResult;
import org.eclipse.aether.util.artifact.JavaScopes;

/**
 * IJava's class-path magics, as lines at the top of a cell: {@code %jars PATH-OR-GLOB...},
 * {@code %classpath PATH...} and {@code %maven group:artifact:version...} (resolved with its runtime dependencies
 * from the local Maven repository and the remote repositories of the user's Maven settings, Maven Central by
 * default, through Maven's own resolver packaged by MIMA).
 */
final class Magics {
    private final Session session;

    Magics(Session session) {
        this.session = session;
    }

    /** Runs the magic lines at the top of {@code code} and returns the rest (the Java code). */
    String run(String code) throws CellException {
        StringBuilder rest = new StringBuilder();
        boolean head = true;
        for (String line : code.split("\n", -1)) {
            String t = line.strip();
            if (head && t.startsWith("%")) {
                magic(t.substring(1));
                rest.append('\n'); // keep line numbers of the Java code
                continue;
            }
            if (!t.isEmpty()) {
                head = false;
            }
            rest.append(line).append('\n');
        }
        return rest.substring(0, Math.max(0, rest.length() - 1));
    }

    private void magic(String line) throws CellException {
        String[] parts = line.trim().split("\\s+");
        String name = parts[0];
        List<String> args = List.of(parts).subList(1, parts.length);
        switch (name) {
            case "jars" -> jars(args);
            case "classpath" -> classpath(args);
            case "maven" -> maven(args);
            default ->
                throw new CellException.MagicException(
                        "unknown magic %" + name + "; this kernel knows %jars, %classpath and %maven");
        }
    }

    private void jars(List<String> args) throws CellException {
        if (args.isEmpty()) {
            throw new CellException.MagicException("%jars needs a jar or a glob, e.g. %jars lib/*.jar");
        }
        for (String arg : args) {
            List<Path> found = glob(arg);
            if (found.isEmpty()) {
                throw new CellException.MagicException("%jars " + arg + ": no such jar (paths are relative to "
                        + Path.of("").toAbsolutePath() + ")");
            }
            for (Path p : found) {
                session.addToClassPath(p.toString());
            }
            System.out.println("added " + found.size() + (found.size() == 1 ? " jar" : " jars") + " for " + arg);
        }
    }

    private void classpath(List<String> args) throws CellException {
        if (args.isEmpty()) {
            System.out.println(String.join(File.pathSeparator, session.addedClassPath()));
            return;
        }
        for (String arg : args) {
            for (String entry : arg.split(File.pathSeparator)) {
                if (!Files.exists(Path.of(entry))) {
                    throw new CellException.MagicException("%classpath " + entry + ": no such file or folder");
                }
                session.addToClassPath(Path.of(entry).toAbsolutePath().toString());
            }
        }
    }

    private static List<Path> glob(String pattern) throws CellException {
        Path literal = Path.of(pattern);
        if (!pattern.contains("*") && !pattern.contains("?")) {
            return Files.isRegularFile(literal) ? List.of(literal.toAbsolutePath()) : List.of();
        }
        Path dir = literal.getParent() == null ? Path.of(".") : literal.getParent();
        PathMatcher matcher = dir.getFileSystem().getPathMatcher("glob:" + literal.getFileName());
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (Files.isRegularFile(p) && matcher.matches(p.getFileName())) {
                    out.add(p.toAbsolutePath());
                }
            }
        } catch (java.io.IOException e) {
            throw new CellException.MagicException("%jars " + pattern + ": " + e.getMessage());
        }
        out.sort(null);
        return out;
    }

    private void maven(List<String> args) throws CellException {
        if (args.isEmpty()) {
            throw new CellException.MagicException(
                    "%maven needs coordinates, e.g. %maven org.apache.commons:commons-lang3:3.14.0");
        }
        for (String coords : args) {
            List<Path> jars = resolve(coords);
            for (Path jar : jars) {
                session.addToClassPath(jar.toString());
            }
            System.out.println("added " + coords + " (" + jars.size() + (jars.size() == 1 ? " jar)" : " jars)"));
        }
    }

    /** The jars of {@code coords} and its runtime dependencies. */
    static List<Path> resolve(String coords) throws CellException {
        DefaultArtifact artifact;
        try {
            artifact = new DefaultArtifact(coords);
        } catch (IllegalArgumentException e) {
            throw new CellException.MagicException(
                    "%maven " + coords + ": not group:artifact:version (e.g. org.apache.commons:commons-lang3:3.14.0)");
        }
        ContextOverrides overrides =
                ContextOverrides.create().withUserSettings(true).build();
        try (Context context = Runtimes.INSTANCE.getRuntime().create(overrides)) {
            CollectRequest collect =
                    new CollectRequest(new Dependency(artifact, JavaScopes.RUNTIME), context.remoteRepositories());
            DependencyResult result = context.repositorySystem()
                    .resolveDependencies(context.repositorySystemSession(), new DependencyRequest(collect, null));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : result.getArtifactResults()) {
                if (r.getArtifact() != null && r.getArtifact().getFile() != null) {
                    jars.add(r.getArtifact().getFile().toPath());
                }
            }
            return jars;
        } catch (Exception e) {
            String why = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new CellException.MagicException("%maven " + coords + " could not be resolved: " + why);
        }
    }
}
