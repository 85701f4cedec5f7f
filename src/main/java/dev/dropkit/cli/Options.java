package dev.dropkit.cli;

import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options of {@code ./run train} and {@code ./run sweep}, parsed by hand: {@code --name value} or
 * {@code --name=value}. Defaults come from the library ({@link Training#of}, {@link Mlp#seedModel()}), so the
 * command line and the notebooks start from the same settings. Values stay text here; {@link #settings(Map)} turns
 * one combination into a checked {@link Settings}, so that a sweep can vary one option.
 */
final class Options {
    /** One option: its name, value placeholder, help text, and whether a sweep may vary it. */
    record Spec(String name, String placeholder, String help, String defaultValue, boolean sweepable) {}

    static final List<Spec> SPECS = specs();

    private final Map<String, String> values = new LinkedHashMap<>();
    private boolean help;
    private boolean resume;

    private Options() {}

    static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                o.help = true;
                continue;
            }
            if (arg.equals("--resume")) {
                o.resume = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException(
                        "unexpected argument '" + arg + "': options look like --epochs 5 (see --help)");
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (spec(name) == null) {
                throw new UsageException("unknown option --" + name + ": see --help for the options");
            }
            if (value == null) {
                if (i + 1 >= args.length || (args[i + 1].startsWith("--") && !isNumber(args[i + 1]))) {
                    throw new UsageException("option --" + name + " needs a value, e.g. --" + name + " "
                            + spec(name).placeholder());
                }
                value = args[++i];
            }
            if (o.values.containsKey(name)) {
                throw new UsageException("option --" + name + " is given twice: give it once (a sweep takes a "
                        + "comma list, e.g. --" + name + " a,b)");
            }
            o.values.put(name, value.trim());
        }
        return o;
    }

    boolean help() {
        return help;
    }

    /** {@code --resume}: continue the interrupted sweep whose folder is {@code --out}. */
    boolean resume() {
        return resume;
    }

    /** The raw text of an option as given, or its default (null when it has none). */
    String raw(String name) {
        return values.getOrDefault(name, spec(name).defaultValue());
    }

    /** The option given as a comma list (a sweep's varied option), or null when none is. */
    String sweptOption() {
        String swept = null;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getValue().contains(",") && !e.getKey().equals("backend")) { // spark://a:7077,b:7077
                if (!spec(e.getKey()).sweepable()) {
                    throw new UsageException("--" + e.getKey() + " takes one value, not the list '" + e.getValue()
                            + "': a sweep varies one of " + sweepableNames());
                }
                if (swept != null) {
                    throw new UsageException("--" + swept + " and --" + e.getKey() + " are both lists: a sweep varies "
                            + "one option at a time");
                }
                swept = e.getKey();
            }
        }
        return swept;
    }

    /** The values of a comma-list option, in the order given. */
    List<String> list(String name) {
        List<String> items = new ArrayList<>();
        for (String part : raw(name).split(",", -1)) {
            String item = part.trim();
            if (item.isEmpty()) {
                throw new UsageException(
                        "--" + name + " '" + raw(name) + "' has an empty item: give values like 0,0.25,0.5");
            }
            if (items.contains(item)) {
                throw new UsageException("--" + name + " lists " + item + " twice: give each value once");
            }
            items.add(item);
        }
        return items;
    }

    /** The settings of one run, with {@code overrides} (the swept option's current value) in place of the given text. */
    Settings settings(Map<String, String> overrides) {
        Map<String, String> v = new LinkedHashMap<>();
        for (Spec s : SPECS) {
            v.put(s.name(), overrides.containsKey(s.name()) ? overrides.get(s.name()) : raw(s.name()));
        }
        String threads = v.get("threads");
        return new Settings(
                v.get("dataset"),
                v.get("data-dir") == null ? null : Path.of(v.get("data-dir")),
                DropoutOption.parse(v.get("dropout")),
                v.get("dropout-kind"),
                whole("hidden", v.get("hidden")),
                whole("epochs", v.get("epochs")),
                whole("batch-size", v.get("batch-size")),
                real("lr", v.get("lr")),
                real("momentum", v.get("momentum")),
                real("weight-decay", v.get("weight-decay")),
                threads == null ? null : whole("threads", threads),
                (long) whole("seed", v.get("seed")),
                whole("train-subset", v.get("train-subset")),
                whole("test-subset", v.get("test-subset")),
                real("target", v.get("target")),
                whole("seeds", v.get("seeds")),
                v.get("validation") == null ? null : real("validation", v.get("validation")),
                v.get("out") == null ? null : Path.of(v.get("out")),
                v.get("batch-norm"));
    }

    static Spec spec(String name) {
        return SPECS.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    static String sweepableNames() {
        return String.join(
                ", ",
                SPECS.stream().filter(Spec::sweepable).map(s -> "--" + s.name()).toList());
    }

    /** The help text: every option with its default. */
    static String usage(String command) {
        StringBuilder b = new StringBuilder();
        if (command.equals("sweep")) {
            b.append("usage: ./run sweep --OPTION v1,v2,... [--seeds N] [other options]\n")
                    .append("One training run per value of the one option given as a comma list (")
                    .append(sweepableNames())
                    .append("),\nall else equal, each over --seeds seeds (a sweep of one ")
                    .append("configuration needs only --seeds 2 or more);\nwrites history.csv (every epoch of every ")
                    .append("run), summary.csv (one row per configuration: mean and spread over seeds),\ntrials.csv ")
                    .append("(one row per run and seed) and comparison charts. Choices are made on validation ")
                    .append("accuracy;\nthe chosen configuration's test accuracy is printed once.\n");
        } else {
            b.append("usage: ./run train [options]\n")
                    .append("Trains the MLP once; prints one line per epoch and a summary; writes history.csv, ")
                    .append("accuracy.png, loss.png and settings.txt.\n");
        }
        b.append("\noptions (default in brackets):\n");
        for (Spec s : SPECS) {
            String left = "  --" + s.name() + " " + s.placeholder();
            b.append(String.format(
                    Locale.ROOT,
                    "%-28s %s [%s]%n",
                    left,
                    s.help(),
                    s.defaultValue() == null ? defaultText(s.name()) : s.defaultValue()));
        }
        if (command.equals("sweep")) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-28s %s%n",
                    "  --resume",
                    "continue the interrupted sweep of --out " + "(its finished trials are kept in OUT.trials)"));
        }
        b.append(String.format(Locale.ROOT, "%-28s %s%n", "  -h, --help", "this text"));
        b.append("\nReproducibility: --threads 1 with the same --seed gives the same history.csv apart from the\n")
                .append("timing columns (seconds, cumulative_seconds); with more threads the engine's parallel sums ")
                .append("may differ in the last bits.\n")
                .append("Results are written to a temporary folder next to --out and moved into place when complete.\n")
                .append(
                        "Exit status: 0 done, 2 bad option or input (one line on stderr says which and how to fix it), ")
                .append("1 other failure, 130 interrupted.\n");
        return b.toString();
    }

    private static String defaultText(String name) {
        return switch (name) {
            case "data-dir" -> "the installed data set, $DROPKIT_DATA/<dataset>";
            case "threads" -> "$DROPKIT_THREADS, else the engine's choice";
            case "out" -> "build/runs/<time>-<dataset>-<setting>";
            case "validation" -> "the data set's default split";
            case "backend" -> "$DROPKIT_BACKEND, else local";
            case "parallelism" -> "one per core";
            case "search" -> "none: every value trains fully";
            case "budget-epochs" -> "values x --epochs / 2";
            default -> "none";
        };
    }

    private static List<Spec> specs() {
        Training t = Training.of(Mlp.seedModel());
        Mlp.Hidden layer = Mlp.seedModel().hidden().get(0);
        List<Spec> l = new ArrayList<>();
        l.add(new Spec("dataset", "NAME", "mnist or fashion-mnist (label for --data-dir)", "mnist", false));
        l.add(new Spec("data-dir", "DIR", "folder of the four IDX files, plain or .gz", null, false));
        l.add(new Spec("csv", "FILE", "own data: a CSV file with a header line (instead of --dataset)", null, false));
        l.add(new Spec("label-column", "NAME", "the --csv column that holds the classes", "label", false));
        l.add(new Spec(
                "dropout",
                "P",
                "fraction of hidden units dropped, in [0, 1); or adaptive[:LOWER:UPPER], a rate"
                        + " moved each epoch by the train-validation gap (from 0.5, default bounds 0 and 0.8)",
                num(layer.dropout()),
                true));
        l.add(new Spec(
                "dropout-kind",
                "KIND",
                "dropout implementation: " + DropoutKind.names() + " (concrete learns"
                        + " the rate, starting at --dropout, regularised for the training-set size)",
                Mlp.seedModel().dropoutKind().label(),
                true));
        l.add(new Spec(
                "batch-norm",
                "ORDER",
                "batch normalization in the hidden layer with dropout placed " + BatchNormOrder.names()
                        + " it, or none",
                "none",
                true));
        l.add(new Spec("hidden", "N", "units of the hidden ReLU layer", String.valueOf(layer.units()), true));
        l.add(new Spec("epochs", "N", "training epochs", String.valueOf(t.epochs()), true));
        l.add(new Spec("batch-size", "B", "examples per SGD step", String.valueOf(t.batchSize()), true));
        l.add(new Spec("lr", "X", "SGD learning rate", num(t.learningRate().at(0)), true));
        l.add(new Spec("momentum", "M", "SGD momentum in [0, 1)", num(t.momentum()), true));
        l.add(new Spec("weight-decay", "W", "L2 weight decay", num(t.weightDecay()), true));
        l.add(new Spec("threads", "T", "engine threads per operator", null, false));
        l.add(new Spec(
                "seed", "S", "seed of initialisation, dropout masks, shuffling", String.valueOf(t.seed()), true));
        l.add(new Spec("train-subset", "N", "random training examples kept (0 = all)", "0", false));
        l.add(new Spec("test-subset", "N", "random test examples kept (0 = all)", "0", false));
        l.add(new Spec(
                "validation", "F", "fraction of the training images held out for validation, in [0, 1)", null, false));
        l.add(new Spec("seeds", "N", "runs per configuration, seeds S, S+1, ... (3 or more for findings)", "1", false));
        l.add(new Spec(
                "target", "A", "validation accuracy for epochs/seconds-to-target in the summary", "0.97", false));
        l.add(new Spec("out", "DIR", "output folder (must not exist yet, or be empty)", null, false));
        l.add(new Spec(
                "save-model", "DIR", "also save the trained model there (./run evaluate --model DIR)", null, false));
        l.add(new Spec(
                "backend",
                "B",
                "where a sweep's trials train: local, local:N, spark:local[2], " + "spark:spark://host:7077",
                null,
                false));
        l.add(new Spec("parallelism", "N", "trials training at once on the local backend", null, false));
        l.add(new Spec(
                "search",
                "S",
                "instead of training every value for --epochs: halving (successive halving: rungs share"
                        + " --budget-epochs, the better half goes on) or asha (asynchronous: rungs of 1, 2, 4, ..."
                        + " epochs up to --epochs); ranked on validation accuracy",
                null,
                false));
        l.add(new Spec("budget-epochs", "N", "successive halving's epochs over all values and rungs", null, false));
        return List.copyOf(l);
    }

    private static String num(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e6 ? String.valueOf((long) x) : String.valueOf(x);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static double real(String name, String text) {
        try {
            double x = Double.parseDouble(text);
            if (Double.isNaN(x) || Double.isInfinite(x)) {
                throw new NumberFormatException();
            }
            return x;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " '" + text + "' is not a number: e.g. --" + name + " "
                    + spec(name).defaultValue());
        }
    }

    static int whole(String name, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " '" + text + "' is not a whole number: e.g. --" + name + " "
                    + (spec(name).defaultValue() != null ? spec(name).defaultValue() : "1"));
        }
    }

    /** One run's settings, parsed but not yet checked against the library's rules (the library does that); threads null: not given. */
    record Settings(
            String dataset,
            Path dataDir,
            DropoutOption dropout,
            String dropoutKind,
            int hidden,
            int epochs,
            int batchSize,
            double lr,
            double momentum,
            double weightDecay,
            Integer threads,
            long seed,
            int trainSubset,
            int testSubset,
            double target,
            int seeds,
            Double validation,
            Path out,
            String batchNorm) {}
}
