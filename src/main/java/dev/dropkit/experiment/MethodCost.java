package dev.dropkit.experiment;

import dev.dropkit.train.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Ways of choosing a dropout rate (a grid, a search, a schedule, a controller, a learned rate) compared on what they
 * deliver and what they cost: per method and seed, the one run whose validation accuracy counts (the outcome) and
 * every epoch the method trained to get it (the cost). A grid's cost is all its rates; a search's, every candidate's
 * epochs; an adaptive run's, itself. The unit of cost is one training run of the grid (mean epochs and seconds of
 * one rate and seed).
 *
 * <pre>{@code
 * MethodCost costs = MethodCost.of(0.93).addGrid("grid", gridRuns).addEach(adaptiveRuns);
 * display(costs.table());                                   // accuracy with spread, epochs to target, cost
 * System.out.println(costs.goal("grid", 1.2));              // within the grid's spread at <= 1.2 runs?
 * }</pre>
 *
 * <p>Columns of {@link #table()}: {@value #METHOD}, {@value RunSummary#SEEDS}, {@value RunSummary#FINAL_VAL_ACCURACY}
 * with {@code _min} and {@code _max}, {@value RunSummary#EPOCHS_TO_TARGET} and {@value RunSummary#SECONDS_TO_TARGET}
 * of the delivered run (missing unless every seed reached the target), {@value RunSummary#REACHED_TARGET},
 * {@value #COST_EPOCHS}, {@value #COST_SECONDS} with {@code _min} and {@code _max}, {@value #COST_RUNS} (cost
 * seconds over one run's), {@value #COST_RUN_EPOCHS} (cost epochs over one run's; costs are means over seeds) and
 * {@value #FINAL_DROPOUT}.
 */
public final class MethodCost {
    public static final String METHOD = "method";
    public static final String COST_EPOCHS = "cost_epochs";
    public static final String COST_SECONDS = "cost_seconds";
    public static final String COST_RUNS = "cost_runs";
    public static final String COST_RUN_EPOCHS = "cost_run_epochs";
    /** The dropout rate of the delivered run's last epoch, mean over seeds (where an adaptive rate ended). */
    public static final String FINAL_DROPOUT = "final_dropout";
    /** The History columns an outcome keeps (sources differ in their extra columns), plus the seed. */
    private static final List<String> KEPT = List.of(
            History.RUN,
            "dropout",
            History.EPOCH,
            History.TRAIN_ACCURACY,
            History.VAL_LOSS,
            History.VAL_ACCURACY,
            History.TEST_ACCURACY,
            History.SECONDS,
            History.CUMULATIVE_SECONDS);

    private record Entry(long seed, Table outcome, int epochs, double seconds) {}

    private final double target;
    private final Map<String, List<Entry>> methods = new LinkedHashMap<>();
    private final Map<String, String> chosen = new LinkedHashMap<>();
    private double runEpochs = Double.NaN;
    private double runSeconds = Double.NaN;

    private MethodCost(double target) {
        this.target = History.checkTarget(target);
    }

    /** Methods compared at the validation accuracy {@code target} (for epochs to target), in (0, 1]. */
    public static MethodCost of(double target) {
        return new MethodCost(target);
    }

    /**
     * One seed of {@code method}: {@code outcome} is the history of the run it delivers, {@code trained} every epoch
     * row it trained for that seed (its rows counted, its {@code seconds} summed).
     */
    public MethodCost add(String method, long seed, Table outcome, Table trained) {
        if (methods.getOrDefault(method, List.of()).stream().anyMatch(e -> e.seed() == seed)) {
            throw new IllegalArgumentException(
                    "method '" + method + "' already has seed " + seed + ": add each seed once");
        }
        if (outcome.rowCount() == 0 || trained.rowCount() < outcome.rowCount()) {
            throw new IllegalArgumentException("method '" + method + "', seed " + seed + ": the outcome needs at least"
                    + " one epoch and must be among the epochs trained (" + trained.rowCount() + ")");
        }
        Table o = outcome.selectColumns(KEPT.toArray(String[]::new)).copy();
        o.replaceColumn(History.RUN, constant(History.RUN, method, o.rowCount()));
        LongColumn s = LongColumn.create(RunSummary.SEED, o.rowCount());
        s.setMissingTo(seed);
        o.addColumns(s);
        methods.computeIfAbsent(method, m -> new ArrayList<>())
                .add(new Entry(
                        seed,
                        o,
                        trained.rowCount(),
                        trained.doubleColumn(History.SECONDS).sum()));
        return this;
    }

    /**
     * A grid of fixed configurations ({@code runs}: a {@link Sweep} table, each run label over the same seeds). It
     * delivers, for every seed, the run of the configuration with the best mean final validation accuracy, and costs
     * every configuration of that seed. Its mean run sets the unit of {@link #COST_RUNS}.
     */
    public MethodCost addGrid(String method, Table runs) {
        RunSummary summary = RunSummary.of(runs);
        String best = summary.best();
        chosen.put(method, best);
        List<Double> epochs = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        for (long seed : seeds(runs)) {
            Table ofSeed = runs.where(runs.longColumn(RunSummary.SEED).isEqualTo(seed));
            add(method, seed, ofSeed.where(ofSeed.stringColumn(History.RUN).isEqualTo(best)), ofSeed);
            for (String run : ofSeed.stringColumn(History.RUN).unique()) {
                Table one = ofSeed.where(ofSeed.stringColumn(History.RUN).isEqualTo(run));
                epochs.add((double) one.rowCount());
                seconds.add(one.doubleColumn(History.SECONDS).sum());
            }
        }
        runEpochs = epochs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        runSeconds = seconds.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return this;
    }

    /** Each run label of {@code runs} (a {@link Sweep} table) as a method of its own, costing only itself. */
    public MethodCost addEach(Table runs) {
        for (String run : runs.stringColumn(History.RUN).unique()) {
            Table one = runs.where(runs.stringColumn(History.RUN).isEqualTo(run));
            for (long seed : seeds(one)) {
                Table t = one.where(one.longColumn(RunSummary.SEED).isEqualTo(seed));
                add(run, seed, t, t);
            }
        }
        return this;
    }

    /** The configuration a grid delivered (chosen on mean validation accuracy), e.g. {@code "p=0.3"}. */
    public String chosen(String grid) {
        if (!chosen.containsKey(grid)) {
            throw new IllegalArgumentException("'" + grid + "' is not a grid here: use one of " + chosen.keySet());
        }
        return chosen.get(grid);
    }

    /** The outcomes, one run label per method, for comparisons ({@link RunSummary#compare}) and test accuracy. */
    public RunSummary summary() {
        return RunSummary.of(outcomes(), target);
    }

    /** Every outcome run's per-epoch history (run label: the method), e.g. for the rate over epochs. */
    public Table outcomes() {
        requireMethods();
        List<Table> all = new ArrayList<>();
        methods.values().forEach(entries -> entries.forEach(e -> all.add(e.outcome())));
        return Sweep.stack("outcomes", all);
    }

    /** The cost of {@code method} in training seconds, over its seeds. */
    public Spread seconds(String method) {
        return Spread.of(entries(method).stream().mapToDouble(Entry::seconds).toArray());
    }

    /** The cost of {@code method} in epochs trained, over its seeds. */
    public Spread epochs(String method) {
        return Spread.of(entries(method).stream().mapToDouble(Entry::epochs).toArray());
    }

    /**
     * The cost of {@code method} in training runs of the grid: the larger of its mean epochs over one run's and its
     * mean training seconds over one run's, so that neither more epochs nor dearer epochs slip through (epochs do not
     * depend on the machine's load; seconds also show an epoch that costs more, and a shared machine's noise).
     */
    public double runs(String method) {
        if (Double.isNaN(runEpochs)) {
            throw new IllegalStateException("no grid added, so no unit of one run: addGrid(...) first");
        }
        return Math.max(epochs(method).mean() / runEpochs, seconds(method).mean() / runSeconds);
    }

    /** One row per method: accuracy with spread, epochs to target and cost (see the class comment). */
    public Table table() {
        RunSummary summary = summary();
        Table t =
                Table.create("methods and their cost", StringColumn.create(METHOD), IntColumn.create(RunSummary.SEEDS));
        for (String c : List.of(
                RunSummary.FINAL_VAL_ACCURACY,
                RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN,
                RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX,
                RunSummary.EPOCHS_TO_TARGET,
                RunSummary.SECONDS_TO_TARGET)) {
            t.addColumns(DoubleColumn.create(c));
        }
        t.addColumns(IntColumn.create(RunSummary.REACHED_TARGET));
        for (String c : List.of(
                COST_EPOCHS,
                COST_SECONDS,
                COST_SECONDS + RunSummary.MIN,
                COST_SECONDS + RunSummary.MAX,
                COST_RUNS,
                COST_RUN_EPOCHS,
                FINAL_DROPOUT)) {
            t.addColumns(DoubleColumn.create(c));
        }
        for (String m : methods.keySet()) {
            Spread val = summary.spread(m, Measure.FINAL_VAL_ACCURACY);
            Spread toTarget = summary.spread(m, Measure.EPOCHS_TO_TARGET);
            Spread seconds = seconds(m);
            t.stringColumn(METHOD).append(m);
            t.intColumn(RunSummary.SEEDS).append(entries(m).size());
            t.doubleColumn(RunSummary.FINAL_VAL_ACCURACY).append(val.mean());
            t.doubleColumn(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MIN).append(val.min());
            t.doubleColumn(RunSummary.FINAL_VAL_ACCURACY + RunSummary.MAX).append(val.max());
            t.doubleColumn(RunSummary.EPOCHS_TO_TARGET)
                    .append(toTarget.n() == entries(m).size() ? toTarget.mean() : Double.NaN);
            Spread secondsToTarget = summary.spread(m, Measure.SECONDS_TO_TARGET);
            t.doubleColumn(RunSummary.SECONDS_TO_TARGET)
                    .append(toTarget.n() == entries(m).size() ? secondsToTarget.mean() : Double.NaN);
            t.intColumn(RunSummary.REACHED_TARGET).append(toTarget.n());
            t.doubleColumn(COST_EPOCHS).append(epochs(m).mean());
            t.doubleColumn(COST_SECONDS).append(seconds.mean());
            t.doubleColumn(COST_SECONDS + RunSummary.MIN).append(seconds.min());
            t.doubleColumn(COST_SECONDS + RunSummary.MAX).append(seconds.max());
            t.doubleColumn(COST_RUNS)
                    .append(round(Double.isNaN(runSeconds) ? Double.NaN : seconds.mean() / runSeconds));
            t.doubleColumn(COST_RUN_EPOCHS)
                    .append(round(
                            Double.isNaN(runEpochs) ? Double.NaN : epochs(m).mean() / runEpochs));
            t.doubleColumn(FINAL_DROPOUT)
                    .append(round(entries(m).stream()
                            .mapToDouble(e -> e.outcome()
                                    .doubleColumn("dropout")
                                    .get(e.outcome().rowCount() - 1))
                            .average()
                            .orElse(Double.NaN)));
        }
        return t;
    }

    /**
     * Accuracy against cost for a chart with spread ({@code SpreadChart.of(t, "cost_seconds", "final_val_accuracy")
     * .by("method")}): one row per method and seed with its final validation accuracy, at the method's mean cost in
     * seconds, so that the seeds of a method share one point and draw its error bar.
     */
    public Table perSeed() {
        Table points = Table.create(
                "accuracy against cost",
                StringColumn.create(METHOD),
                LongColumn.create(RunSummary.SEED),
                DoubleColumn.create(COST_SECONDS),
                DoubleColumn.create(RunSummary.FINAL_VAL_ACCURACY));
        for (Map.Entry<String, List<Entry>> m : methods.entrySet()) {
            double cost = seconds(m.getKey()).mean();
            for (Entry e : m.getValue()) {
                Table o = e.outcome();
                points.stringColumn(METHOD).append(m.getKey());
                points.longColumn(RunSummary.SEED).append(e.seed());
                points.doubleColumn(COST_SECONDS).append(cost);
                points.doubleColumn(RunSummary.FINAL_VAL_ACCURACY)
                        .append(o.doubleColumn(History.VAL_ACCURACY).get(o.rowCount() - 1));
            }
        }
        return points;
    }

    /**
     * The goal "a method within the seed-to-seed spread of {@code reference} at no more than {@code maxRuns}
     * training runs" ({@link #runs}), for each of {@code methods} (none given: every method but
     * the reference): one line each saying whether it met it and, if not, where it falls short (too dear, or less
     * accurate beyond the spread). See {@link #goalMetBy}.
     */
    public String goal(String reference, double maxRuns, String... methods) {
        RunSummary summary = summary();
        StringBuilder b = new StringBuilder();
        for (String m : judged(reference, methods)) {
            Comparison c = summary.compare(m, reference);
            boolean cheap = runs(m) <= maxRuns;
            boolean accurate = met(c);
            b.append(String.format(
                    Locale.ROOT,
                    "%s: cost %.2f training runs (%s %.2f); %s -> %s%n",
                    m,
                    runs(m),
                    cheap ? "within" : "above",
                    maxRuns,
                    c,
                    cheap && accurate
                            ? "goal met"
                            : "falls short: " + (cheap ? "" : "too dear") + (!cheap && !accurate ? " and " : "")
                                    + (accurate ? "" : "less accurate beyond the spread")));
        }
        return b.toString().stripTrailing();
    }

    /** Those of {@code methods} (none given: every method but the reference) that met the goal of {@link #goal}. */
    public List<String> goalMetBy(String reference, double maxRuns, String... methods) {
        RunSummary summary = summary();
        return judged(reference, methods).stream()
                .filter(m -> runs(m) <= maxRuns && met(summary.compare(m, reference)))
                .toList();
    }

    private List<String> judged(String reference, String... names) {
        entries(reference);
        List<String> judged = names.length > 0
                ? List.of(names)
                : methods.keySet().stream().filter(m -> !m.equals(reference)).toList();
        judged.forEach(this::entries);
        return judged;
    }

    /** Within the spread of the reference, or better than it. */
    private static boolean met(Comparison c) {
        return c.spreadA().n() > 0 && (!c.measurable() || c.difference() > 0);
    }

    private List<Entry> entries(String method) {
        List<Entry> e = methods.get(method);
        if (e == null) {
            throw new IllegalArgumentException("no method '" + method + "' here: use one of " + methods.keySet());
        }
        return e;
    }

    private void requireMethods() {
        if (methods.isEmpty()) {
            throw new IllegalStateException("no methods added: add(...), addGrid(...) or addEach(...) first");
        }
    }

    private static List<Long> seeds(Table runs) {
        if (!runs.columnNames().contains(RunSummary.SEED)) {
            throw new IllegalArgumentException("table " + runs.name() + " has no seed column: use a Sweep's table");
        }
        return runs.longColumn(RunSummary.SEED).unique().asList().stream()
                .sorted()
                .toList();
    }

    /** Ratios and rates to three decimals, for reading (sums of floating-point seconds end in 9.000000000000002). */
    private static double round(double x) {
        return Double.isNaN(x) ? x : Math.round(x * 1000) / 1000.0;
    }

    private static StringColumn constant(String name, String value, int rows) {
        StringColumn c = StringColumn.create(name);
        for (int i = 0; i < rows; i++) {
            c.append(value);
        }
        return c;
    }
}
