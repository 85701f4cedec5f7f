package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A small learning-rate grid for several models, every rate over seeds: the rate each model learns best at (chosen
 * on validation accuracy) and the largest rate at which it still learns. A run that does not learn is a failure,
 * never a result: it fails when a training loss is not finite (it diverged) or when its final validation accuracy
 * is not above {@link #learnedAbove} (it did not learn, e.g. stuck near chance after a blow-up).
 *
 * <pre>{@code
 * LearningRateGrid.Result grid = LearningRateGrid.of(0.03, 0.1, 0.3, 1, 3).seeds(3).learnedAbove(0.5)
 *         .run(data, Map.of("no BN", base, "BN", base.model(bn)));
 * grid.tuned("BN");            // the rate with the best mean final validation accuracy among the stable ones
 * grid.largestStable("BN");    // the largest rate up to which every seed of every rate learned
 * display(grid.table());       // one row per model and rate: accuracy with its spread, seeds that learned
 * }</pre>
 */
public final class LearningRateGrid {
    public static final String MODEL = "model";
    public static final String LR = "lr";
    /** Seeds of a model and rate that learned (finite loss, final validation accuracy above the threshold). */
    public static final String LEARNED = "learned";
    /** "yes" when every seed learned, else why not ("diverged", "did not learn"). */
    public static final String STABLE = "stable";

    private final List<Double> rates;
    private int seeds = 1;
    private double learnedAbove = 0.5;
    private SweepListener listener;

    private LearningRateGrid(List<Double> rates) {
        this.rates = rates;
    }

    /** A grid of learning rates: positive, finite, distinct, in increasing order. */
    public static LearningRateGrid of(double... rates) {
        if (rates == null || rates.length == 0) {
            throw new IllegalArgumentException("learning-rate grid has no rates: give some, e.g. of(0.1, 0.3, 1)");
        }
        for (int i = 0; i < rates.length; i++) {
            if (!(rates[i] > 0) || Double.isInfinite(rates[i])) {
                throw new IllegalArgumentException("learning rate " + rates[i] + " in the grid "
                        + Arrays.toString(rates) + " must be a positive number");
            }
            if (i > 0 && rates[i] <= rates[i - 1]) {
                throw new IllegalArgumentException("learning-rate grid " + Arrays.toString(rates)
                        + " is not increasing: list each rate once, smallest first");
            }
        }
        return new LearningRateGrid(Arrays.stream(rates).boxed().toList());
    }

    /** Seeds per model and rate (see {@link Sweep#seeds(int)}); e.g. {@link RunMode#seeds()}. */
    public LearningRateGrid seeds(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("seed count " + count + " must be at least 1: e.g. seeds(3)");
        }
        this.seeds = count;
        return this;
    }

    /**
     * The final validation accuracy, in [0, 1), a run must end above to count as learning (default 0.5: far above
     * the chance level of ten classes, 0.1, far below what a working run of these models reaches).
     */
    public LearningRateGrid learnedAbove(double validationAccuracy) {
        if (!(validationAccuracy >= 0 && validationAccuracy < 1)) {
            throw new IllegalArgumentException("learned-above threshold " + validationAccuracy
                    + " is outside [0, 1): e.g. 0.5 (chance level plus a wide margin)");
        }
        this.learnedAbove = validationAccuracy;
        return this;
    }

    /** Who hears the sweep of all runs (default {@link SweepProgress#forSweep()}). */
    public LearningRateGrid listener(SweepListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** The label of a model's run at a rate, e.g. {@code "BN, lr=0.3"}. */
    public static String label(String model, double rate) {
        return model + ", lr=" + text(rate);
    }

    /**
     * Trains every model (its settings, with each rate in place of its learning rate) at every rate and seed on
     * {@code data}, which must hold a validation set. Nothing is trained when a setting is wrong.
     */
    public Result run(ImageData data, Map<String, Training> models) {
        if (models == null || models.isEmpty()) {
            throw new IllegalArgumentException("learning-rate grid has no models: give at least one, e.g. "
                    + "Map.of(\"seed\", Training.of(Mlp.seedModel()))");
        }
        if (!data.hasValidation()) {
            throw new IllegalArgumentException("a learning-rate grid chooses on validation accuracy, but " + data.name()
                    + " has no validation set: build the data with .validation(0.1)");
        }
        List<Training> configs = new ArrayList<>();
        Map<String, String> modelOf = new LinkedHashMap<>();
        for (Map.Entry<String, Training> m : models.entrySet()) {
            for (double rate : rates) {
                String label = label(m.getKey(), rate);
                configs.add(m.getValue().copy().sgd(rate).label(label));
                modelOf.put(label, m.getKey());
            }
        }
        Sweep<Training> sweep = Sweep.configs(configs).seeds(seeds);
        if (listener != null) {
            sweep.listener(listener);
        }
        Table runs = sweep.run(data, c -> c);
        StringColumn model = StringColumn.create(MODEL);
        runs.stringColumn(History.RUN).forEach(run -> model.append(modelOf.get(run)));
        runs.insertColumn(1, model);
        return new Result(runs, List.copyOf(models.keySet()), rates, learnedAbove);
    }

    /** The trained grid: its runs, one row per model and rate, and the choices made on validation accuracy. */
    public static final class Result {
        private final Table runs;
        private final List<String> models;
        private final List<Double> rates;
        private final double learnedAbove;
        private final RunSummary summary;
        /** Per label: seeds that learned, and the first failure's reason. */
        private final Map<String, int[]> learned = new LinkedHashMap<>();

        private final Map<String, String> failure = new LinkedHashMap<>();

        private Result(Table runs, List<String> models, List<Double> rates, double learnedAbove) {
            this.runs = runs;
            this.models = models;
            this.rates = rates;
            this.learnedAbove = learnedAbove;
            this.summary = RunSummary.of(runs);
            judge();
        }

        private void judge() {
            Map<String, Map<Long, List<Integer>>> rows = new LinkedHashMap<>();
            NumericColumn<?> seed = (NumericColumn<?>) runs.column(RunSummary.SEED);
            for (int i = 0; i < runs.rowCount(); i++) {
                rows.computeIfAbsent(runs.stringColumn(History.RUN).get(i), k -> new LinkedHashMap<>())
                        .computeIfAbsent((long) seed.getDouble(i), k -> new ArrayList<>())
                        .add(i);
            }
            DoubleColumn loss = runs.doubleColumn(History.TRAIN_LOSS);
            DoubleColumn val = runs.doubleColumn(History.VAL_ACCURACY);
            rows.forEach((run, bySeed) -> {
                int ok = 0;
                for (List<Integer> epochs : bySeed.values()) {
                    boolean diverged = epochs.stream().anyMatch(i -> !Double.isFinite(loss.getDouble(i)));
                    double last = val.getDouble(epochs.get(epochs.size() - 1));
                    if (diverged) {
                        failure.putIfAbsent(run, "diverged");
                    } else if (!(last > learnedAbove)) {
                        failure.putIfAbsent(run, "did not learn");
                    } else {
                        ok++;
                    }
                }
                learned.put(run, new int[] {ok, bySeed.size()});
            });
        }

        /** Every epoch of every run, as {@link Sweep} stacks them, with a {@value #MODEL} column. */
        public Table runs() {
            return runs;
        }

        /** The summary of all runs (run labels from {@link LearningRateGrid#label}). */
        public RunSummary summary() {
            return summary;
        }

        /**
         * One row per model and rate: {@value #MODEL}, {@value #LR}, {@value RunSummary#SEEDS}, the final validation
         * accuracy (mean, {@code _min}, {@code _max} over seeds), {@value #LEARNED} and {@value #STABLE}.
         */
        public Table table() {
            Table s = summary.table();
            Table t = Table.create("learning-rate grid");
            StringColumn model = StringColumn.create(MODEL);
            DoubleColumn lr = DoubleColumn.create(LR);
            IntColumn seeds = IntColumn.create(RunSummary.SEEDS);
            DoubleColumn[] val = {
                DoubleColumn.create(RunSummary.FINAL_VAL_ACCURACY),
                DoubleColumn.create(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN),
                DoubleColumn.create(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX)
            };
            IntColumn ok = IntColumn.create(LEARNED);
            StringColumn stable = StringColumn.create(STABLE);
            List<String> labels = s.stringColumn(History.RUN).asList();
            for (String m : models) {
                for (double rate : rates) {
                    String label = label(m, rate);
                    int row = labels.indexOf(label);
                    model.append(m);
                    lr.append(rate);
                    seeds.append(s.intColumn(RunSummary.SEEDS).get(row));
                    for (DoubleColumn c : val) {
                        c.append(s.doubleColumn(c.name()).get(row));
                    }
                    ok.append(learned.get(label)[0]);
                    stable.append(stable(label) ? "yes" : failure.get(label));
                }
            }
            t.addColumns(model, lr, seeds);
            t.addColumns(val);
            t.addColumns(ok, stable);
            return t;
        }

        /** Whether every seed of {@code model} at {@code rate} learned. */
        public boolean stable(String model, double rate) {
            return stable(check(model, rate));
        }

        private boolean stable(String label) {
            int[] counts = learned.get(label);
            return counts[0] == counts[1];
        }

        /**
         * The largest rate of the grid up to which {@code model} learned at every rate and seed (the stable range
         * starts at the smallest rate); empty when it failed at the smallest.
         */
        public OptionalDouble largestStable(String model) {
            checkModel(model);
            OptionalDouble largest = OptionalDouble.empty();
            for (double rate : rates) {
                if (!stable(label(model, rate))) {
                    break;
                }
                largest = OptionalDouble.of(rate);
            }
            return largest;
        }

        /** The smallest rate of the grid at which some seed of {@code model} failed; empty when none did. */
        public OptionalDouble firstFailure(String model) {
            checkModel(model);
            return rates.stream()
                    .filter(r -> !stable(label(model, r)))
                    .mapToDouble(Double::doubleValue)
                    .findFirst();
        }

        /**
         * The rate with the highest mean final validation accuracy among {@code model}'s stable rates: the rate tuned
         * for it. An error when it learned at no rate.
         */
        public double tuned(String model) {
            checkModel(model);
            double best = Double.NaN;
            double bestAccuracy = Double.NEGATIVE_INFINITY;
            for (double rate : rates) {
                String label = label(model, rate);
                double accuracy =
                        summary.spread(label, Measure.FINAL_VAL_ACCURACY).mean();
                if (stable(label) && accuracy > bestAccuracy) {
                    best = rate;
                    bestAccuracy = accuracy;
                }
            }
            if (Double.isNaN(best)) {
                throw new IllegalStateException(
                        model + " learned at no rate of the grid " + rates + ": add smaller rates or train longer");
            }
            return best;
        }

        /**
         * One line per model, e.g. {@code "BN: tuned lr=1 (val 94.10% (93.90–94.30%, 3 seeds)); learns at every
         * rate up to 3; at 10: did not learn (1 of 3 seeds learned)"}.
         */
        public String findings() {
            List<String> lines = new ArrayList<>();
            for (String m : models) {
                StringBuilder b = new StringBuilder(m).append(": ");
                try {
                    double tuned = tuned(m);
                    b.append("tuned lr=")
                            .append(text(tuned))
                            .append(" (validation accuracy ")
                            .append(summary.spread(label(m, tuned), Measure.FINAL_VAL_ACCURACY)
                                    .format(100, "%", 2))
                            .append("); ");
                } catch (IllegalStateException e) {
                    b.append("no tuned rate; ");
                }
                OptionalDouble largest = largestStable(m);
                b.append(
                        largest.isPresent()
                                ? "learns at every rate up to " + text(largest.getAsDouble())
                                : "fails already at the smallest rate");
                OptionalDouble first = firstFailure(m);
                if (first.isPresent()) {
                    String label = label(m, first.getAsDouble());
                    int[] counts = learned.get(label);
                    b.append(String.format(
                            Locale.ROOT,
                            "; at %s: %s (%d of %d seeds learned)",
                            text(first.getAsDouble()),
                            failure.get(label),
                            counts[0],
                            counts[1]));
                } else {
                    b.append(", the largest rate of the grid (the limit lies beyond it)");
                }
                lines.add(b.toString());
            }
            return String.join("\n", lines);
        }

        @Override
        public String toString() {
            return findings();
        }

        private String check(String model, double rate) {
            checkModel(model);
            if (!rates.contains(rate)) {
                throw new IllegalArgumentException("rate " + rate + " is not in the grid " + rates);
            }
            return label(model, rate);
        }

        private void checkModel(String model) {
            if (!models.contains(model)) {
                throw new IllegalArgumentException("no model '" + model + "' in this grid: use one of " + models);
            }
        }
    }

    /** A rate as the labels write it: six significant digits, no trailing zeros ({@code 0.03}, {@code 1}, {@code 10}). */
    static String text(double rate) {
        return new BigDecimal(rate, new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
