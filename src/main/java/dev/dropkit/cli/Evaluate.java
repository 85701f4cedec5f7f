package dev.dropkit.cli;

import dev.dropkit.data.DataSets;
import dev.dropkit.data.DatasetName;
import dev.dropkit.data.IdxFolder;
import dev.dropkit.data.ImageData;
import dev.dropkit.train.Evaluation;
import dev.dropkit.train.TrainedModel;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./run evaluate --model DIR [--dataset NAME | --data-dir DIR | --csv FILE --label-column NAME]}: loads a
 * model saved by {@code ./run train --save-model} (or {@code TrainedModel.save}), prints its accuracy and loss on
 * the test images of a data set (or every row of a CSV file) and writes the confusion matrix as CSV and PNG and the
 * accuracy per class as CSV.
 */
final class Evaluate {
    private static final List<String> NAMES =
            List.of("model", "dataset", "data-dir", "csv", "label-column", "test-subset", "out");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final PrintStream out;
    private boolean help;

    Evaluate(String[] args, PrintStream out) {
        this.out = out;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                help = true;
                continue;
            }
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            String value = null;
            if (name != null && name.contains("=")) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name == null || !NAMES.contains(name)) {
                throw new UsageException("unknown argument '" + arg + "': see ./run evaluate --help");
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException("option --" + name + " needs a value (see ./run evaluate --help)");
                }
                value = args[++i];
            }
            if (values.put(name, value.trim()) != null) {
                throw new UsageException("option --" + name + " is given twice: give it once");
            }
        }
    }

    static String usage() {
        return """
                usage: ./run evaluate --model DIR [--dataset NAME | --data-dir DIR | --csv FILE --label-column NAME]
                Loads a saved model, prints its accuracy and loss on the test images of a data set (or on every row
                of a CSV file) and writes confusion_matrix.csv, confusion_matrix.png and per_class.csv.

                options (default in brackets):
                  --model DIR          a model saved by ./run train --save-model DIR (required)
                  --dataset NAME       mnist or fashion-mnist [mnist]
                  --data-dir DIR       folder of the four IDX files, plain or .gz (its test files are used)
                  --csv FILE           own data: a CSV file with a header line; every row is evaluated
                  --label-column NAME  the --csv column that holds the classes [label]
                  --test-subset N      random test images kept, as in ./run train (0 = all) [0]
                  --out DIR            output folder [build/evaluations/<time>-<model folder>]
                  -h, --help           this text
                Exit status: 0 done, 2 bad option, model or data (one line on stderr), 1 other failure.
                """;
    }

    void run() {
        if (help) {
            out.print(usage());
            return;
        }
        String modelDir = values.get("model");
        if (modelDir == null) {
            throw new UsageException(
                    "--model DIR is required: the folder of a model saved by ./run train --save-model");
        }
        long sources = List.of("dataset", "data-dir", "csv").stream()
                .filter(values::containsKey)
                .count();
        if (sources > 1) {
            throw new UsageException("give one of --dataset, --data-dir or --csv");
        }
        int testSubset;
        try {
            testSubset = Integer.parseInt(values.getOrDefault("test-subset", "0"));
        } catch (NumberFormatException e) {
            throw new UsageException("--test-subset '" + values.get("test-subset") + "' is not a whole number");
        }
        Path modelPath = Path.of(modelDir);
        Path target = values.containsKey("out") ? Path.of(values.get("out")) : defaultOut(modelPath);
        try (TrainedModel model = TrainedModel.load(modelPath);
                OutputFolder output = OutputFolder.create(target);
                ImageData data = load(model, testSubset)) {
            Evaluation e = model.evaluate(data);
            out.println(String.format(
                    Locale.ROOT,
                    "evaluate: %s on %s: accuracy %.2f%% (%,d examples), loss %.4f",
                    modelPath,
                    data.name(),
                    100 * e.accuracy(),
                    e.examples(),
                    e.loss()));
            Path dir = output.work();
            e.confusionMatrix().write().csv(dir.resolve("confusion_matrix.csv").toString());
            e.perClass().write().csv(dir.resolve("per_class.csv").toString());
            e.confusionChart().save(dir.resolve("confusion_matrix.png"));
            out.println("evaluate: results in " + output.commit());
        }
    }

    private ImageData load(TrainedModel model, int testSubset) {
        if (values.containsKey("csv")) {
            if (testSubset != 0) {
                throw new UsageException("--test-subset applies to the installed data sets: give a smaller --csv file");
            }
            return DataSets.fromCsv(Path.of(values.get("csv")), values.getOrDefault("label-column", "label"))
                    .scaling(model.scaling())
                    .classNames(model.classNames())
                    .testFraction(1)
                    .build();
        }
        if (values.containsKey("data-dir")) {
            try (IdxFolder folder = IdxFolder.open(Path.of(values.get("data-dir")))) {
                return folder.data()
                        .trainSubset(1)
                        .validation(0)
                        .testSubset(testSubset)
                        .build();
            }
        }
        DatasetName dataset = DatasetName.parse(values.getOrDefault("dataset", "mnist"));
        // The training images are not needed: keep one so that loading stays quick.
        return ImageData.builder(dataset.id())
                .trainSubset(1)
                .validation(0)
                .testSubset(testSubset)
                .build();
    }

    private static Path defaultOut(Path model) {
        Path root = Path.of("build", "evaluations");
        String stem = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-"
                + model.toAbsolutePath().normalize().getFileName();
        Path p = root.resolve(stem);
        for (int i = 2; Files.exists(p); i++) {
            p = root.resolve(stem + "-" + i);
        }
        return p;
    }
}
