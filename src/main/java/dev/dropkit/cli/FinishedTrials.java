package dev.dropkit.cli;

import dev.dropkit.AtomicFiles;
import dev.dropkit.experiment.RunSummary;
import dev.dropkit.experiment.Sweep;
import dev.dropkit.experiment.SweepListener;
import dev.dropkit.train.History;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import tech.tablesaw.api.Table;

/**
 * The finished trials of a sweep that is still running, kept next to its output folder in {@code OUT.trials/}: one
 * CSV file of history rows per trial, each written aside and moved into place, with the settings that decide the
 * histories. An interrupted sweep leaves them there; {@code --resume} trains only the trials missing from it. A sweep
 * that completes deletes the folder (its rows are in history.csv).
 */
final class FinishedTrials {
    private static final String SETTINGS = "settings.txt";
    private final Path dir;

    private FinishedTrials(Path dir) {
        this.dir = dir;
    }

    /** The folder for the sweep writing to {@code target}; checks it against {@code --resume}. */
    static FinishedTrials open(Path target, String settings, boolean resume) {
        Path abs = target.toAbsolutePath().normalize();
        Path dir = abs.resolveSibling(abs.getFileName() + ".trials");
        try {
            if (resume) {
                if (!Files.isRegularFile(dir.resolve(SETTINGS))) {
                    throw new UsageException("--resume: " + dir + " holds no finished trials of an interrupted sweep "
                            + "of --out " + target + ": run without --resume");
                }
                if (!Files.readString(dir.resolve(SETTINGS)).equals(settings)) {
                    throw new UsageException("--resume: the trials in " + dir + " were trained with other settings: "
                            + "give the options of the interrupted sweep (listed in " + dir.resolve(SETTINGS) + ")");
                }
            } else {
                if (Files.isDirectory(dir) && new FinishedTrials(dir).count() > 0) {
                    throw new UsageException(dir + " holds finished trials of an interrupted sweep of --out " + target
                            + ": add --resume to continue it, or delete " + dir);
                }
                Files.createDirectories(dir);
                AtomicFiles.write(dir.resolve(SETTINGS), f -> Files.writeString(f, settings));
            }
        } catch (IOException e) {
            throw new UsageException("cannot keep finished trials in " + dir + " (" + e.getMessage()
                    + "): choose an --out in a folder you can write to");
        }
        return new FinishedTrials(dir);
    }

    /** {@code inner}, after saving each finished trial's rows here. */
    SweepListener listener(SweepListener inner) {
        return new SweepListener() {
            @Override
            public void sweepStarted(String name, List<Sweep.Trial<?>> trials) {
                inner.sweepStarted(name, trials);
            }

            @Override
            public void trialFinished(Sweep.Trial<?> trial, History history) {
                Path file = file(trial);
                if (!Files.exists(file)) {
                    StringWriter csv = new StringWriter();
                    history.table().write().csv(csv);
                    AtomicFiles.write(file, f -> Files.writeString(f, csv.toString()));
                }
                inner.trialFinished(trial, history);
            }

            @Override
            public void trialFailed(Sweep.Trial<?> trial, String message) {
                inner.trialFailed(trial, message);
            }

            @Override
            public void sweepFinished(RunSummary summary) {
                inner.sweepFinished(summary);
            }
        };
    }

    /** Runs the sweep, taking the trials already here instead of training them; names this folder if interrupted. */
    <T> Table run(Sweep<T> sweep, Supplier<Table> run) {
        sweep.resume(this::read);
        try {
            return run.get();
        } catch (RuntimeException | Error e) {
            if (count() == 0) {
                delete(); // nothing finished: nothing to resume from
            }
            if (!(e instanceof CancellationException)) {
                throw e;
            }
            if (count() == 0) {
                throw e;
            }
            throw new CancellationException(e.getMessage() + "; " + count() + " finished trial(s) kept in " + dir
                    + ": continue with the same options and --resume");
        }
    }

    /** Removes the folder when it holds no finished trial (a sweep that failed before any finished). */
    void discardIfEmpty() {
        if (count() == 0) {
            delete();
        }
    }

    /** Removes the folder once the results are in place. */
    void delete() {
        AtomicFiles.deleteTree(dir);
    }

    private Optional<History> read(Sweep.Trial<?> trial) {
        Path file = file(trial);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(History.readCsv(trial.run(), Files.readString(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the finished trial " + file, e);
        }
    }

    private Path file(Sweep.Trial<?> trial) {
        return dir.resolve(String.format(
                java.util.Locale.ROOT, "%04d-%s.csv", trial.index(), trial.key().replaceAll("[^A-Za-z0-9._=-]+", "_")));
    }

    private long count() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".csv")
                            && !f.getFileName().toString().startsWith("."))
                    .count();
        } catch (IOException e) {
            return 0;
        }
    }
}
