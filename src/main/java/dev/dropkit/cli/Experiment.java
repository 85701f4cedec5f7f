package dev.dropkit.cli;

import dev.dropkit.Env;
import dev.dropkit.data.DataException;
import dev.dropkit.data.DataSets;
import dev.dropkit.data.DatasetName;
import dev.dropkit.data.IdxFolder;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.RunSummary;
import dev.dropkit.model.Mlp;
import dev.dropkit.plot.LineChart;
import dev.dropkit.train.History;
import dev.dropkit.train.TrainedModel;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One {@code train} or {@code sweep} invocation: checks every run's settings first (so a bad value fails before any
 * training), reserves the output folder, loads the data once, trains each run with one progress line per epoch,
 * then writes tables and charts and moves them into place.
 */
final class Experiment {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final String command;
    private final Options options;
    private final PrintStream out;

    Experiment(String command, Options options, PrintStream out) {
        this.command = command;
        this.options = options;
        this.out = out;
    }

    void run() {
        String swept = options.sweptOption();
        if (command.equals("train") && swept != null) {
            throw new UsageException("--" + swept + " '" + options.raw(swept) + "' is a list: ./run train takes one "
                    + "value; use ./run sweep --" + swept + " " + options.raw(swept) + " for one run per value");
        }
        if (command.equals("sweep") && swept == null) {
            throw new UsageException("sweep needs one option given as a comma list, e.g. --dropout 0,0.25,0.5 "
                    + "(one of " + Options.sweepableNames() + ")");
        }
        List<String> values = swept == null ? List.of("") : options.list(swept);

        // Check every run's settings before anything slow happens.
        Options.Settings base = options.settings(swept == null ? Map.of() : Map.of(swept, values.get(0)));
        DatasetName dataset = DatasetName.parse(base.dataset());
        Map<String, Training> runs = new LinkedHashMap<>();
        for (String value : values) {
            Options.Settings s = swept == null ? base : options.settings(Map.of(swept, value));
            String label = swept == null ? "dropout " + s.dropout() : swept + "=" + value;
            runs.put(value, training(s).label(label));
        }
        if (base.trainSubset() < 0 || base.testSubset() < 0) {
            throw new UsageException("subset sizes must be 0 (all) or positive, not " + base.trainSubset() + " / "
                    + base.testSubset());
        }
        History.checkTarget(base.target());
        Path csv = options.raw("csv") == null ? null : Path.of(options.raw("csv"));
        Path saveModel = options.raw("save-model") == null ? null : Path.of(options.raw("save-model"));
        checkOwnData(csv, saveModel, base, swept);
        if (base.threads() != null) {
            Env.threads(base.threads());
        }

        Path target = base.out() != null ? base.out() : defaultOut(csv != null ? csvName(csv) : dataset.id(), swept,
                base);
        try (OutputFolder output = OutputFolder.create(target); ImageData data = csv != null
                ? DataSets.fromCsv(csv, options.raw("label-column")).seed(base.seed()).build() : load(base, dataset)) {
            String source = csv != null ? csv.toString() : base.dataDir() != null ? base.dataDir().toString()
                    : dataset.id();
            String sizes = csv != null ? String.format(Locale.ROOT, " (%d features, %d classes)", data.features(),
                    data.classes()) : "";
            out.println(String.format(Locale.ROOT, "%s: %s, %,d training and %,d test examples%s; %s; %d engine "
                    + "thread%s, seed %d", command, source, data.trainSize(), data.testSize(), sizes,
                    swept == null ? sizedFor(runs.values().iterator().next().model(), data)
                            : runs.size() + " runs over --" + swept,
                    Env.threads(), Env.threads() == 1 ? "" : "s", base.seed()));
            List<History> histories = new ArrayList<>();
            for (Training t : runs.values()) {
                histories.add(train(t.model(sizedFor(t.model(), data)).label(t.label()), data, saveModel));
            }
            Path written = swept == null ? writeTrain(output, histories.get(0), base)
                    : writeSweep(output, histories, swept, values, base);
            out.println(command + ": results in " + written);
        }
    }

    /** The library's own builders check every value and throw one-line errors. */
    static Training training(Options.Settings s) {
        Mlp model = Mlp.builder().hidden(s.hidden(), s.dropout()).dropoutKind(s.dropoutKind()).build();
        return Training.of(model).sgd(s.lr()).momentum(s.momentum()).weightDecay(s.weightDecay())
                .batchSize(s.batchSize()).epochs(s.epochs()).seed(s.seed()).progress(false);
    }

    private ImageData load(Options.Settings s, DatasetName dataset) {
        if (s.dataDir() == null) {
            return ImageData.builder(dataset.id()).trainSubset(s.trainSubset()).testSubset(s.testSubset()).build();
        }
        try (IdxFolder folder = IdxFolder.open(s.dataDir())) {
            // The tensors are in memory once built, so the staged copy can go at once.
            try {
                return folder.data().trainSubset(s.trainSubset()).testSubset(s.testSubset()).build();
            } catch (DataException e) {
                throw new DataException(folder.explain(e.getMessage()));
            }
        }
    }

    /** The model's input and output sizes follow the data (784 and 10 for MNIST; a CSV file's own). */
    static Mlp sizedFor(Mlp m, ImageData data) {
        if (m.inputs() == data.features() && m.outputs() == data.classes()) {
            return m;
        }
        Mlp.Builder b = Mlp.builder().inputs(data.features()).outputs(data.classes()).dropoutKind(m.dropoutKind());
        m.hidden().forEach(h -> b.hidden(h.units(), h.dropout()));
        return b.build();
    }

    /** Own data and saved models: checked before anything slow. */
    private static void checkOwnData(Path csv, Path saveModel, Options.Settings s, String swept) {
        if (csv != null && (s.dataDir() != null || s.trainSubset() != 0 || s.testSubset() != 0)) {
            throw new UsageException("--csv takes the whole file as data: drop --data-dir, --train-subset and "
                    + "--test-subset (or give a smaller file)");
        }
        if (saveModel != null && swept != null) {
            throw new UsageException("--save-model keeps one run's model: use it with ./run train");
        }
        if (saveModel != null && Files.exists(saveModel)) {
            boolean empty;
            try (var entries = Files.list(saveModel)) {
                empty = entries.findAny().isEmpty();
            } catch (IOException e) {
                empty = false;
            }
            if (!empty) {
                throw new UsageException("--save-model " + saveModel + " exists and is not an empty folder: choose a "
                        + "new folder (a saved model is never overwritten)");
            }
        }
    }

    private static String csvName(Path csv) {
        return csv.getFileName().toString().replaceFirst("\\.csv$", "");
    }

    private History train(Training t, ImageData data, Path saveModel) {
        try (TrainingRun run = t.start(data)) {
            for (int epoch = 1; epoch <= t.epochs(); epoch++) {
                History h = run.train(1);
                Table row = h.table();
                int last = row.rowCount() - 1;
                out.println(String.format(Locale.ROOT, "%s  epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  %.2f s",
                        t.label(), epoch, t.epochs(), row.doubleColumn(History.TRAIN_LOSS).get(last),
                        100 * row.doubleColumn(History.TRAIN_ACCURACY).get(last),
                        100 * row.doubleColumn(History.TEST_ACCURACY).get(last),
                        row.doubleColumn(History.SECONDS).get(last)));
            }
            History h = run.history();
            if (saveModel != null) {
                try (TrainedModel model = TrainedModel.of(run, data)) {
                    out.println(t.label() + "  model saved in " + model.save(saveModel));
                }
            }
            out.println(String.format(Locale.ROOT, "%s  done: test accuracy %.2f%% (best %.2f%%), train-test gap %+.2f "
                    + "points, %.2f s per epoch (median), %.1f s in all", t.label(), 100 * h.finalTestAccuracy(),
                    100 * h.bestTestAccuracy(), 100 * h.finalGap(), h.medianEpochSeconds(warmup(h)), h.totalSeconds()));
            return h;
        }
    }

    private static int warmup(History h) {
        return h.epochs() >= 3 ? 1 : 0; // the first epoch includes JIT and engine warm-up
    }

    private Path writeTrain(OutputFolder output, History h, Options.Settings s) {
        Path dir = output.work();
        Table table = h.table();
        table.write().csv(dir.resolve("history.csv").toString());
        LineChart.of(table, History.EPOCH, History.TRAIN_ACCURACY, History.TEST_ACCURACY)
                .title(h.run() + ": accuracy per epoch").yLabel("accuracy").save(dir.resolve("accuracy.png"));
        LineChart.of(table, History.EPOCH, History.TRAIN_LOSS)
                .title(h.run() + ": mean training loss per epoch").save(dir.resolve("loss.png"));
        writeSettings(dir, s, null);
        return output.commit();
    }

    private Path writeSweep(OutputFolder output, List<History> histories, String swept, List<String> values,
            Options.Settings s) {
        Path dir = output.work();
        Table all = histories.get(0).table().copy();
        for (History h : histories.subList(1, histories.size())) {
            all.append(h.table());
        }
        all.setName("sweep over " + swept);
        String column = valueColumn(all, swept, values);
        all.write().csv(dir.resolve("history.csv").toString());
        Table summary = RunSummary.of(all, s.target()).warmup(warmup(histories.get(0))).table();
        summary.write().csv(dir.resolve("summary.csv").toString());
        // The console gets the outcome columns only (summary.csv has every configuration column).
        java.util.Set<String> shown = new java.util.LinkedHashSet<>(List.of(History.RUN, column, RunSummary.EPOCHS,
                RunSummary.FINAL_TEST_ACCURACY, RunSummary.BEST_TEST_ACCURACY, RunSummary.FINAL_GAP,
                RunSummary.MEDIAN_EPOCH_SECONDS, RunSummary.TOTAL_SECONDS, RunSummary.EPOCHS_TO_TARGET));
        out.println(RunSummary.printable(summary.selectColumns(shown.toArray(String[]::new))).printAll());
        LineChart.of(all, History.EPOCH, History.TEST_ACCURACY).by(History.RUN)
                .title("Test accuracy per epoch by " + swept).yLabel("test accuracy")
                .save(dir.resolve("test_accuracy.png"));
        LineChart.of(all, History.EPOCH, History.TRAIN_LOSS).by(History.RUN)
                .title("Mean training loss per epoch by " + swept).save(dir.resolve("train_loss.png"));
        LineChart.of(all, History.CUMULATIVE_SECONDS, History.TEST_ACCURACY).by(History.RUN)
                .title("Test accuracy against training time by " + swept).xLabel("training seconds")
                .yLabel("test accuracy").save(dir.resolve("test_accuracy_by_time.png"));
        if (summary.column(column) instanceof NumericColumn<?>) {
            LineChart.of(summary.sortAscendingOn(column), column, RunSummary.FINAL_TEST_ACCURACY,
                    RunSummary.BEST_TEST_ACCURACY).title("Test accuracy by " + swept).xLabel(swept)
                    .yLabel("test accuracy").save(dir.resolve("accuracy_by_" + column + ".png"));
        }
        writeSettings(dir, s, swept);
        return output.commit();
    }

    /**
     * The history column that holds the swept value; the knobs a history does not record (seed, hidden units,
     * dropout kind) get a column of their own, so the summary shows the value of each run.
     */
    private static String valueColumn(Table all, String swept, List<String> values) {
        String column = swept.replace('-', '_');
        if (column.equals(History.EPOCH + "s")) {
            return RunSummary.EPOCHS;
        }
        if (all.columnNames().contains(column)) {
            return column;
        }
        boolean numeric = values.stream().allMatch(v -> v.matches("[-+0-9.eE]+"));
        List<String> perRow = new ArrayList<>();
        for (int i = 0; i < all.rowCount(); i++) {
            String run = all.stringColumn(History.RUN).get(i);
            perRow.add(run.substring(run.indexOf('=') + 1));
        }
        all.insertColumn(1, numeric
                ? DoubleColumn.create(column, perRow.stream().mapToDouble(Double::parseDouble).toArray())
                : StringColumn.create(column, perRow));
        return column;
    }

    /** The settings as given (and the defaults used), so that a run can be repeated. */
    private void writeSettings(Path dir, Options.Settings s, String swept) {
        StringBuilder b = new StringBuilder("# ./run " + command + " settings (defaults filled in)\n");
        for (Options.Spec spec : Options.SPECS) {
            String value = options.raw(spec.name());
            if (spec.name().equals("threads")) {
                value = String.valueOf(Env.threads());
            }
            if (value != null && !spec.name().equals("out")) {
                b.append("--").append(spec.name()).append(' ').append(value).append('\n');
            }
        }
        try {
            Files.writeString(dir.resolve("settings.txt"), b.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve("settings.txt"), e);
        }
    }

    private Path defaultOut(String dataset, String swept, Options.Settings s) {
        String what = swept != null ? "sweep-" + swept : "d" + s.dropout();
        Path runs = Path.of("build", "runs");
        String stem = LocalDateTime.now().format(STAMP) + "-" + dataset + "-" + what;
        Path p = runs.resolve(stem);
        for (int i = 2; Files.exists(p); i++) {
            p = runs.resolve(stem + "-" + i);
        }
        return p;
    }
}
