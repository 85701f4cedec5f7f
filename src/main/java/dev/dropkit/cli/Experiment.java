package dev.dropkit.cli;

import dev.dropkit.Env;
import dev.dropkit.data.DataException;
import dev.dropkit.data.DataSets;
import dev.dropkit.data.DatasetName;
import dev.dropkit.data.IdxFolder;
import dev.dropkit.data.ImageData;
import dev.dropkit.experiment.Asha;
import dev.dropkit.experiment.Backend;
import dev.dropkit.experiment.DataSpec;
import dev.dropkit.experiment.Measure;
import dev.dropkit.experiment.RunMode;
import dev.dropkit.experiment.RunSummary;
import dev.dropkit.experiment.Search;
import dev.dropkit.experiment.SuccessiveHalving;
import dev.dropkit.experiment.Sweep;
import dev.dropkit.experiment.SweepProgress;
import dev.dropkit.experiment.TrialSpec;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.ConcreteDropout;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.plot.LineChart;
import dev.dropkit.train.History;
import dev.dropkit.train.Progress;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * One {@code train} or {@code sweep} invocation: checks every run's settings first (so a bad value fails before any
 * training), reserves the output folder, loads the data once, trains through the library ({@link Training#fit} for
 * one run, {@link Sweep} for a sweep), prints through the library's listeners ({@link Progress} per epoch for one
 * run, {@link SweepProgress} per trial for a sweep), then writes tables and charts and moves them into place.
 */
final class Experiment {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    /** Options whose values are whole numbers or reals: a swept column gets numbers, not text. */
    private static final Set<String> WHOLE = Set.of("hidden", "epochs", "batch-size", "seed");

    private static final Set<String> REAL = Set.of("lr", "momentum", "weight-decay");

    private final String command;
    private final Options options;
    private final PrintStream out;
    /** The swept values (typed) and their text as given. */
    private final Map<Object, String> raw = new LinkedHashMap<>();
    /** Training examples of the loaded data (concrete dropout's regulariser scales with it); 0 until loaded. */
    private int trainingSize;

    Experiment(String command, Options options, PrintStream out) {
        this.command = command;
        this.options = options;
        this.out = out;
    }

    /** The data set once loaded: sweep runs are sized to it (a CSV file's width and classes). */
    private ImageData loaded;

    void run() {
        String swept = options.sweptOption();
        Options.Settings base = options.settings(
                swept == null ? Map.of() : Map.of(swept, options.list(swept).get(0)));
        if (command.equals("train") && swept != null) {
            throw new UsageException("--" + swept + " '" + options.raw(swept) + "' is a list: ./run train takes one "
                    + "value; use ./run sweep --" + swept + " " + options.raw(swept) + " for one run per value");
        }
        if (base.seeds() < 1) {
            throw new UsageException("--seeds " + base.seeds() + " must be at least 1: e.g. --seeds 3");
        }
        if (command.equals("train") && base.seeds() != 1) {
            throw new UsageException("./run train runs one seed, not --seeds " + base.seeds() + ": use ./run sweep "
                    + "--seeds " + base.seeds() + " for one run per seed");
        }
        if (command.equals("sweep") && swept == null && base.seeds() < 2) {
            throw new UsageException("sweep needs one option given as a comma list, e.g. --dropout 0,0.25,0.5 "
                    + "(one of " + Options.sweepableNames() + "), or --seeds 2 or more");
        }
        if (swept != null && swept.equals("seed") && base.seeds() != 1) {
            throw new UsageException("--seed is a list and --seeds is " + base.seeds() + ": give one of them");
        }
        if (base.trainSubset() < 0 || base.testSubset() < 0) {
            throw new UsageException(
                    "subset sizes must be 0 (all) or positive, not " + base.trainSubset() + " / " + base.testSubset());
        }
        Double validation = base.validation();
        if (validation != null && !(validation >= 0 && validation < 1)) {
            throw new UsageException("--validation " + validation + " is outside [0, 1): e.g. --validation 0.1");
        }
        History.checkTarget(base.target());
        Path csv = options.raw("csv") == null ? null : Path.of(options.raw("csv"));
        Path saveModel = options.raw("save-model") == null ? null : Path.of(options.raw("save-model"));
        checkOwnData(csv, saveModel, base, swept);
        DatasetName dataset = DatasetName.parse(base.dataset());
        Sweep<Object> sweep = command.equals("sweep") ? sweep(swept, base) : null;
        Training single = sweep == null ? training(base, 0).label("dropout " + base.dropout()) : null;
        if (sweep != null) {
            sweep.trials(this::trainingFor); // checks every run's settings now
        }
        Backend backend = backend(sweep != null);
        if (base.threads() != null) {
            Env.threads(base.threads());
        }
        if (options.resume() && (sweep == null || base.out() == null)) {
            throw new UsageException(
                    sweep == null
                            ? "--resume continues a sweep: ./run train has nothing to resume"
                            : "--resume needs --out DIR, the folder the interrupted sweep was writing to");
        }

        Path target =
                base.out() != null ? base.out() : defaultOut(csv != null ? csvName(csv) : dataset.id(), swept, base);
        if (options.raw("search") != null || options.raw("budget-epochs") != null) {
            runSearch(sweep, base, dataset, csv, backend, target);
            return;
        }
        FinishedTrials finished = sweep == null ? null : FinishedTrials.open(target, settingsText(), options.resume());
        try {
            if (sweep != null && backend instanceof Backend.Spark spark) {
                if (csv != null) {
                    throw new UsageException("--csv data is read in this process, but " + spark + " builds the data on "
                            + "each executor from --dataset or --data-dir: use the local backend for --csv");
                }
                sweep.trials(this::trainingFor).forEach(t -> TrialSpec.of(t.training())); // every trial can travel
                DataSpec spec = dataSpec(base, dataset);
                try (OutputFolder output = OutputFolder.create(target)) {
                    out.println(String.format(
                            Locale.ROOT,
                            "%s: %s; sweep over %s; backend %s, seed %d",
                            command,
                            spec,
                            swept == null ? "seeds" : "--" + swept,
                            spark,
                            base.seed()));
                    Table all = finished.run(
                            sweep.backend(spark).listener(finished.listener(SweepProgress.lines(out))),
                            () -> sweep.run(spec, this::trainingFor));
                    Path written = writeSweep(output, all, sweep, swept == null ? "seeds" : swept, base);
                    finished.delete();
                    out.println(command + ": results in " + written);
                }
                return;
            }
            try (OutputFolder output = OutputFolder.create(target);
                    ImageData data = loadHere(csv, base, dataset)) {
                if (single != null) {
                    single = training(base, trainingSize).label(single.label());
                }
                // Batch normalization's rule needs the data's size (the last batch): every run is checked before
                // any trains.
                for (Training t : sweep == null
                        ? List.of(single)
                        : sweep.trials(this::trainingFor).stream()
                                .map(Sweep.Trial::training)
                                .toList()) {
                    t.model().checkBatchSize(t.batchSize(), data.trainSize(), t.workers());
                }
                String source = csv != null
                        ? csv.toString()
                        : base.dataDir() != null ? base.dataDir().toString() : dataset.id();
                String sizes = csv != null
                        ? String.format(Locale.ROOT, " (%d features, %d classes)", data.features(), data.classes())
                        : "";
                out.println(String.format(
                        Locale.ROOT,
                        "%s: %s, %s%s; %s; %d engine thread%s, seed %d%s",
                        command,
                        source,
                        data,
                        sizes,
                        sweep == null
                                ? sizedFor(single.model(), data)
                                : "sweep over " + (swept == null ? "seeds" : "--" + swept),
                        Env.threads(),
                        Env.threads() == 1 ? "" : "s",
                        base.seed(),
                        sweep == null ? "" : "; backend " + backend));
                Path written;
                if (sweep == null) {
                    written = writeTrain(
                            output,
                            train(single.model(sizedFor(single.model(), data)).label(single.label()), data, saveModel),
                            base);
                } else {
                    Table all = finished.run(
                            sweep.backend(backend).listener(finished.listener(SweepProgress.lines(out))),
                            () -> sweep.run(data, this::trainingFor));
                    written = writeSweep(output, all, sweep, swept == null ? "seeds" : swept, base);
                    finished.delete();
                }
                out.println(command + ": results in " + written);
            }
        } finally {
            if (finished != null) {
                finished.discardIfEmpty();
            }
        }
    }

    /**
     * {@code ./run sweep ... --search halving|asha}: the swept values are the candidates of a successive-halving or
     * ASHA search on the backend; writes rungs.csv (one row per candidate and rung) and history.csv, and prints the
     * rungs and the choice (made on validation accuracy; the winner's test accuracy once).
     */
    private void runSearch(
            Sweep<Object> sweep, Options.Settings base, DatasetName dataset, Path csv, Backend backend, Path target) {
        String given = options.raw("search");
        if (sweep == null) {
            throw new UsageException("--search ranks the values of ./run sweep: ./run train runs one training");
        }
        if (given == null) {
            throw new UsageException("--budget-epochs is successive halving's budget: add --search halving");
        }
        Search.Kind kind =
                switch (given.strip().toLowerCase(Locale.ROOT)) {
                    case "halving" -> Search.Kind.HALVING;
                    case "asha" -> Search.Kind.ASHA;
                    default ->
                        throw new UsageException("--search '" + given + "' is not a search: use halving or asha");
                };
        if (base.seeds() != 1 || options.sweptOption().equals("seed")) {
            throw new UsageException("--search ranks one run per value: drop --seeds/--seed lists (repeat the search "
                    + "with another --seed to see the spread)");
        }
        if (options.resume()) {
            throw new UsageException("--resume continues a plain sweep; a search starts afresh");
        }
        if (kind == Search.Kind.ASHA && options.raw("budget-epochs") != null) {
            throw new UsageException("--budget-epochs is successive halving's budget; ASHA's rungs run up to --epochs");
        }
        int values = sweep.trials(this::trainingFor).size();
        int budget = options.raw("budget-epochs") == null
                ? Math.max(values, values * base.epochs() / 2)
                : Options.whole("budget-epochs", options.raw("budget-epochs"));
        if (budget < 1) {
            throw new UsageException(
                    "--budget-epochs " + budget + " must be at least 1: e.g. " + values * base.epochs() / 2);
        }
        if (backend instanceof Backend.Spark && csv != null) {
            throw new UsageException("--csv data is read in this process, but " + backend + " builds the data on each "
                    + "executor from --dataset or --data-dir: use the local backend for --csv");
        }
        try (OutputFolder output = OutputFolder.create(target)) {
            Search.Result result;
            if (backend instanceof Backend.Spark) {
                DataSpec spec = dataSpec(base, dataset);
                result = search(sweep, kind, budget, base, backend, spec).run(spec);
            } else {
                try (ImageData data = loadHere(csv, base, dataset)) {
                    result = search(sweep, kind, budget, base, backend, data).run(data);
                }
            }
            result.failures().forEach((run, message) -> out.println("failed: " + run + ": " + message));
            result.rungs().write().csv(output.work().resolve("rungs.csv").toString());
            result.histories().write().csv(output.work().resolve("history.csv").toString());
            out.println(RunSummary.printable(result.rungs()).printAll());
            out.println(result);
            out.println(command + ": results in " + output.commit());
        }
    }

    /** The search over the sweep's values on {@code backend}, announced with the data it runs on. */
    private Search search(
            Sweep<Object> sweep, Search.Kind kind, int budget, Options.Settings base, Backend backend, Object data) {
        List<Training> candidates = sweep.trials(this::trainingFor).stream()
                .map(t -> t.training().progress(false))
                .toList();
        if (loaded != null) {
            candidates.forEach(t -> t.model().checkBatchSize(t.batchSize(), trainingSize, t.workers()));
        }
        out.println(String.format(
                Locale.ROOT,
                "%s: %s; %s over --%s; backend %s, seed %d",
                command,
                data,
                kind.name().toLowerCase(Locale.ROOT),
                options.sweptOption(),
                backend,
                base.seed()));
        Search search = kind == Search.Kind.ASHA
                ? Asha.of(candidates).maxEpochs(base.epochs())
                : SuccessiveHalving.of(candidates).budgetEpochs(budget).maxEpochs(base.epochs());
        return search.backend(backend);
    }

    /** {@code --backend} (else {@code $DROPKIT_BACKEND}, else local) with {@code --parallelism}. */
    private Backend backend(boolean sweeping) {
        String given = options.raw("backend");
        String slots = options.raw("parallelism");
        if (!sweeping && (given != null || slots != null)) {
            throw new UsageException("--" + (given != null ? "backend" : "parallelism") + " applies to ./run sweep: "
                    + "./run train runs one training");
        }
        Backend b = given != null ? Backend.parse(given) : Backend.fromEnvironment();
        if (slots != null) {
            int n;
            try {
                n = Integer.parseInt(slots);
            } catch (NumberFormatException e) {
                throw new UsageException("--parallelism '" + slots + "' is not a whole number: e.g. --parallelism 2");
            }
            if (b instanceof Backend.Spark spark) {
                throw new UsageException("--parallelism sets the local backend's slots; on " + spark + " the master "
                        + "decides (e.g. spark:local[" + n + "])");
            }
            b = Backend.local(n);
        }
        return b;
    }

    /** The data as a description that executors build themselves. */
    private static DataSpec dataSpec(Options.Settings s, DatasetName dataset) {
        DataSpec spec = s.dataDir() != null ? DataSpec.ofFolder(s.dataDir()) : DataSpec.of(dataset.id());
        spec = spec.trainSubset(s.trainSubset()).testSubset(s.testSubset());
        return s.validation() == null ? spec : spec.validation(s.validation());
    }

    /** The swept option as a {@link Sweep}: numeric values as numbers, labelled {@code option=value}. */
    private Sweep<Object> sweep(String swept, Options.Settings base) {
        if (swept == null) {
            return Sweep.<Object>of(History.RUN, List.of("dropout " + base.dropout()))
                    .seeds(base.seeds());
        }
        List<String> texts = options.list(swept);
        if (swept.equals("seed")) {
            long[] seeds = texts.stream()
                    .mapToLong(t -> options.settings(Map.of(swept, t)).seed())
                    .toArray();
            return Sweep.<Object>of(History.RUN, List.of("dropout " + base.dropout()))
                    .seeds(seeds);
        }
        for (String text : texts) {
            options.settings(Map.of(swept, text)); // a bad number fails here, with the option's name
            raw.put(typed(swept, text), text);
        }
        String column = swept.equals("epochs") ? "max_epochs" : swept.replace('-', '_');
        return Sweep.of(column, new ArrayList<>(raw.keySet()))
                .seeds(base.seeds())
                .labels(v -> swept + "=" + raw.get(v));
    }

    private Training trainingFor(Object value) {
        Training t = trainingForDefaultSizes(value);
        return loaded == null ? t : t.model(sizedFor(t.model(), loaded)).label(t.label());
    }

    private Training trainingForDefaultSizes(Object value) {
        String swept = options.sweptOption();
        if (swept == null || swept.equals("seed")) {
            // The sweep sets each trial's seed.
            return training(
                    options.settings(
                            swept == null
                                    ? Map.of()
                                    : Map.of(swept, options.list(swept).get(0))),
                    trainingSize);
        }
        return training(options.settings(Map.of(swept, raw.get(value))), trainingSize);
    }

    private static Object typed(String option, String text) {
        if (WHOLE.contains(option)) {
            return Integer.valueOf(text);
        }
        if (REAL.contains(option)) {
            return Double.valueOf(text);
        }
        if (option.equals("dropout")) {
            DropoutOption d = DropoutOption.parse(text);
            return d.isAdaptive() ? d.text() : (Object) d.rate();
        }
        return text;
    }

    /**
     * The library's own builders check every value and throw one-line errors. Concrete dropout's regularisers are
     * scaled by {@code trainingSize}, the loaded data's training examples (0 before loading: the paper's defaults,
     * for checking the settings only). An adaptive {@code --dropout} builds the model at the controller's initial
     * rate and gives the controller as the dropout schedule.
     */
    static Training training(Options.Settings s, int trainingSize) {
        DropoutKind kind = DropoutKind.parse(s.dropoutKind());
        if (kind.learnsRate() && s.dropout().rate() == 0) {
            throw new UsageException(
                    "--dropout-kind " + kind + " learns the rate starting at --dropout, so "
                            + "--dropout 0 (no dropout layer) leaves nothing to learn: start inside (0, 1), e.g. --dropout 0.5");
        }
        Mlp.Builder model = Mlp.builder().hidden(s.hidden(), s.dropout().rate()).dropoutKind(kind);
        if (!s.batchNorm().equalsIgnoreCase("none")) {
            try {
                model.batchNorm(BatchNormOrder.parse(s.batchNorm()));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--batch-norm: " + e.getMessage() + "; or none for no batch normalization");
            }
        }
        if (kind == DropoutKind.CONCRETE && trainingSize > 0) {
            model.concrete(ConcreteDropout.Settings.forTrainingSize(trainingSize));
        }
        Training t = Training.of(model.build())
                .sgd(s.lr())
                .momentum(s.momentum())
                .weightDecay(s.weightDecay())
                .batchSize(s.batchSize())
                .epochs(s.epochs())
                .seed(s.seed());
        return s.dropout().isAdaptive() ? t.dropout(s.dropout().adaptive()) : t;
    }

    /**
     * The data this process trains on (the CSV file, else the data set or folder), remembered so that every run is
     * sized to it (a CSV file's width and classes).
     */
    private ImageData loadHere(Path csv, Options.Settings base, DatasetName dataset) {
        ImageData data = csv != null
                ? validation(DataSets.fromCsv(csv, options.raw("label-column")), base.validation())
                        .seed(base.seed())
                        .build()
                : load(base, dataset);
        loaded = data;
        trainingSize = data.trainSize();
        return data;
    }

    private ImageData load(Options.Settings s, DatasetName dataset) {
        if (s.dataDir() == null) {
            return validation(ImageData.builder(dataset.id()), s.validation())
                    .trainSubset(s.trainSubset())
                    .testSubset(s.testSubset())
                    .build();
        }
        try (IdxFolder folder = IdxFolder.open(s.dataDir())) {
            // The tensors are in memory once built, so the staged copy can go at once.
            try {
                return validation(folder.data(), s.validation())
                        .trainSubset(s.trainSubset())
                        .testSubset(s.testSubset())
                        .build();
            } catch (DataException e) {
                throw new DataException(folder.explain(e.getMessage()));
            }
        }
    }

    /** The builder with {@code --validation}'s fraction, or the data set's default split when it is not given. */
    private static ImageData.Builder validation(ImageData.Builder builder, Double fraction) {
        return fraction == null ? builder : builder.validation(fraction);
    }

    private static DataSets.Builder validation(DataSets.Builder builder, Double fraction) {
        return fraction == null ? builder : builder.validation(fraction);
    }

    /** The model's input and output sizes follow the data (784 and 10 for MNIST; a CSV file's own). */
    static Mlp sizedFor(Mlp m, ImageData data) {
        if (m.inputs() == data.features() && m.outputs() == data.classes()) {
            return m;
        }
        return m.withSizes(data.features(), data.classes());
    }

    /** Own data and saved models: checked before anything slow. */
    private static void checkOwnData(Path csv, Path saveModel, Options.Settings s, String swept) {
        if (csv != null && (s.dataDir() != null || s.trainSubset() != 0 || s.testSubset() != 0)) {
            throw new UsageException("--csv takes the whole file as data: drop --data-dir, --train-subset and "
                    + "--test-subset (or give a smaller file)");
        }
        if (saveModel != null && (swept != null || s.seeds() != 1)) {
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

    /** One run, one progress line per epoch through {@link Progress}, then one closing line; saves the model. */
    private History train(Training t, ImageData data, Path saveModel) {
        Progress.install(() -> Progress.lines(out));
        History h;
        try (TrainingRun run = t.copy().progress(true).start(data)) {
            h = run.train(t.epochs());
            if (saveModel != null) {
                try (TrainedModel model = TrainedModel.of(run, data)) {
                    out.println(t.label() + "  model saved in " + model.save(saveModel));
                }
            }
        } finally {
            Progress.reset();
        }
        String val = h.hasValidation()
                ? String.format(
                        Locale.ROOT,
                        "validation accuracy %.2f%% (best %.2f%%), " + "train-validation gap %+.2f points",
                        100 * h.finalValAccuracy(),
                        100 * h.bestValAccuracy(),
                        100 * h.finalGap())
                : "no validation split";
        int warmup = Math.min(RunMode.current().warmupEpochs(), h.epochs() - 1);
        out.println(String.format(
                Locale.ROOT,
                "%s  done: %s, %.2f s per epoch (median after %d warm-up epoch%s), "
                        + "%.1f s in all; test accuracy %.2f%%",
                t.label(),
                val,
                h.medianEpochSeconds(warmup),
                warmup,
                warmup == 1 ? "" : "s",
                h.totalSeconds(),
                100 * h.finalTestAccuracy()));
        return h;
    }

    private Path writeTrain(OutputFolder output, History h, Options.Settings s) {
        Path dir = output.work();
        Table table = h.table();
        table.write().csv(dir.resolve("history.csv").toString());
        List<String> accuracies = new ArrayList<>(List.of(History.TRAIN_ACCURACY));
        if (h.hasValidation()) {
            accuracies.add(History.VAL_ACCURACY);
        }
        accuracies.add(History.TEST_ACCURACY);
        LineChart.of(table, History.EPOCH, accuracies.toArray(String[]::new))
                .title(h.run() + ": accuracy per epoch")
                .yLabel("accuracy")
                .save(dir.resolve("accuracy.png"));
        LineChart.of(table, History.EPOCH, History.TRAIN_LOSS)
                .title(h.run() + ": mean training loss per epoch")
                .save(dir.resolve("loss.png"));
        writeSettings(dir);
        return output.commit();
    }

    private Path writeSweep(OutputFolder output, Table all, Sweep<?> sweep, String swept, Options.Settings s) {
        String column = sweep.name();
        Path dir = output.work();
        if (!sweep.failures().isEmpty()) {
            StringColumn trial = StringColumn.create("trial");
            StringColumn error = StringColumn.create("error");
            for (Sweep.Failure f : sweep.failures()) {
                out.println("failed: " + f.trial().key() + ": " + f.message());
                trial.append(f.trial().key());
                error.append(f.message());
            }
            Table.create("failures", trial, error)
                    .write()
                    .csv(dir.resolve("failures.csv").toString());
        }
        all.setName("sweep over " + swept);
        all.write().csv(dir.resolve("history.csv").toString());
        RunSummary summary = RunSummary.of(all, s.target());
        Table table = summary.table();
        table.write().csv(dir.resolve("summary.csv").toString());
        summary.trials().write().csv(dir.resolve("trials.csv").toString());
        // The console gets the outcome columns only (summary.csv has every configuration column).
        Set<String> shown = new LinkedHashSet<>(List.of(History.RUN));
        if (table.columnNames().contains(column)) {
            shown.add(column);
        }
        shown.addAll(List.of(
                RunSummary.SEEDS,
                RunSummary.EPOCHS,
                RunSummary.FINAL_VAL_ACCURACY,
                RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN,
                RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX,
                RunSummary.FINAL_GAP,
                RunSummary.MEDIAN_EPOCH_SECONDS,
                RunSummary.REACHED_TARGET,
                RunSummary.EPOCHS_TO_TARGET,
                RunSummary.SECONDS_TO_TARGET));
        out.println(RunSummary.printable(table.selectColumns(shown.toArray(String[]::new)))
                .printAll());
        findings(summary, table, s.target());

        Table byTrial = all.copy();
        boolean seeded = table.intColumn(RunSummary.SEEDS).max() > 1;
        String line = History.RUN;
        if (seeded) {
            line = "trial";
            StringColumn trial = StringColumn.create(line);
            for (int i = 0; i < byTrial.rowCount(); i++) {
                trial.append(byTrial.stringColumn(History.RUN).get(i) + " seed "
                        + byTrial.column(RunSummary.SEED).getString(i));
            }
            byTrial.addColumns(trial);
        }
        boolean hasValidation =
                table.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).countMissing() < table.rowCount();
        String accuracy = hasValidation ? History.VAL_ACCURACY : History.TRAIN_ACCURACY;
        String accuracyText = hasValidation ? "validation accuracy" : "training accuracy";
        LineChart.of(byTrial, History.EPOCH, accuracy)
                .by(line)
                .title(cap(accuracyText) + " per epoch by " + swept)
                .yLabel(accuracyText)
                .save(dir.resolve(accuracy + ".png"));
        LineChart.of(byTrial, History.EPOCH, History.TRAIN_LOSS)
                .by(line)
                .title("Mean training loss per epoch by " + swept)
                .save(dir.resolve("train_loss.png"));
        LineChart.of(byTrial, History.CUMULATIVE_SECONDS, accuracy)
                .by(line)
                .title(cap(accuracyText) + " against training time by " + swept)
                .xLabel("training seconds")
                .yLabel(accuracyText)
                .save(dir.resolve(accuracy + "_by_time.png"));
        if (hasValidation && table.columnNames().contains(column) && table.column(column) instanceof NumericColumn<?>) {
            LineChart.of(
                            table.sortAscendingOn(column),
                            column,
                            RunSummary.FINAL_VAL_ACCURACY,
                            RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN,
                            RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX)
                    .title("Final validation accuracy by " + swept + " (mean, lowest and highest seed)")
                    .xLabel(swept)
                    .yLabel("validation accuracy")
                    .save(dir.resolve("accuracy_by_" + column + ".png"));
        }
        writeSettings(dir);
        return output.commit();
    }

    /** The findings, all chosen on validation accuracy; the chosen configuration's test accuracy, once. */
    private void findings(RunSummary summary, Table table, double target) {
        if (table.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).countMissing() == table.rowCount()) {
            out.println("no validation split in this data: no choices made (use --validation 0.1)");
            return;
        }
        Optional<String> fastest = summary.fastestToTarget();
        out.println(String.format(
                Locale.ROOT,
                "fastest to %.2f%% validation accuracy: %s",
                100 * target,
                fastest.orElse("none reached it in every seed")));
        String best = summary.best();
        for (String other : summary.runs()) {
            if (!other.equals(best)) {
                out.println(summary.compare(best, other, Measure.FINAL_VAL_ACCURACY));
            }
        }
        out.println(summary.choice());
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** The settings as given (and the defaults used), so that a run can be repeated. */
    private void writeSettings(Path dir) {
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

    /** The settings that decide the trials' histories (not where or how fast they run): what --resume compares. */
    private String settingsText() {
        StringBuilder b = new StringBuilder("# ./run " + command + " settings that decide the histories\n");
        for (Options.Spec spec : Options.SPECS) {
            String value = options.raw(spec.name());
            if (value != null
                    && !Set.of("out", "threads", "backend", "parallelism").contains(spec.name())) {
                b.append("--").append(spec.name()).append(' ').append(value).append('\n');
            }
        }
        return b.toString();
    }

    private Path defaultOut(String dataset, String swept, Options.Settings s) {
        String what = swept != null
                ? "sweep-" + swept
                : command.equals("sweep") ? "seeds" : "d" + s.dropout().text().replace(':', '-');
        Path runs = Path.of("build", "runs");
        String stem = LocalDateTime.now().format(STAMP) + "-" + dataset + "-" + what;
        Path p = runs.resolve(stem);
        for (int i = 2; Files.exists(p); i++) {
            p = runs.resolve(stem + "-" + i);
        }
        return p;
    }
}
