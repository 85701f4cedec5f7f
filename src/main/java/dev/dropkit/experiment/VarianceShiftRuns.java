package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.model.VarianceShift;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Trains models with batch normalization over seeds and, after each run, measures every BN layer's variance shift
 * ({@link VarianceShift}) on the validation images: the mean and variance BN learned in training mode (its running
 * statistics, what inference normalises by) against the mean and variance of the inputs it actually gets in
 * inference mode. With dropout before BN the two differ; with dropout after the only BN they should not.
 *
 * <pre>{@code
 * VarianceShiftRuns shift = VarianceShiftRuns.run(data, List.of(before, after), mode.seeds());
 * display(shift.table());                        // per model and BN layer: the statistics, the variance ratio
 * shift.ratio("dropout before BN", 1);           // running / inference variance over seeds
 * shift.summary().compare("dropout after BN", "dropout before BN");
 * }</pre>
 */
public final class VarianceShiftRuns {
    public static final String LAYER = "layer";
    public static final String RUNNING_MEAN = "running_mean";
    public static final String INFERENCE_MEAN = "inference_mean";
    public static final String RUNNING_VARIANCE = "running_variance";
    public static final String INFERENCE_VARIANCE = "inference_variance";
    /** Running variance over inference variance: 1 means no shift. */
    public static final String VARIANCE_RATIO = "variance_ratio";

    private final Table runs;
    private final Table shifts;

    private VarianceShiftRuns(Table runs, Table shifts) {
        this.runs = runs;
        this.shifts = shifts;
    }

    /**
     * Trains each configuration (its label names it) with {@code seeds} seeds, one run after the other, and measures
     * each trained model; {@code data} must hold a validation set. Reports to {@link SweepProgress#forSweep()}.
     */
    public static VarianceShiftRuns run(ImageData data, List<Training> configs, int seeds) {
        if (!data.hasValidation()) {
            throw new IllegalArgumentException("the variance shift is measured on validation images, but " + data.name()
                    + " has none: build the data with .validation(0.1)");
        }
        for (Training t : configs == null ? List.<Training>of() : configs) {
            if (t.model().batchNorm().isEmpty()) {
                throw new IllegalArgumentException(t.label() + " has no batch normalization, so no variance shift:"
                        + " build its model with withBatchNorm(BatchNormOrder...)");
            }
            t.model().checkBatchSize(t.batchSize(), data.trainSize(), t.workers());
        }
        List<Sweep.Trial<Training>> trials = Sweep.configs(configs).seeds(seeds).trials(c -> c);
        SweepListener listener = SweepProgress.forSweep();
        listener.sweepStarted("variance shift", List.copyOf(trials));
        List<Table> histories = new ArrayList<>();
        Table shifts = emptyShifts();
        for (Sweep.Trial<Training> trial : trials) {
            try (TrainingRun run = trial.training().start(data)) {
                History h = run.train(trial.training().epochs());
                for (VarianceShift s : VarianceShift.measure(run.block(), data.valX())) {
                    shifts.stringColumn(History.RUN).append(trial.run());
                    shifts.longColumn(RunSummary.SEED).append(trial.seed());
                    shifts.intColumn(LAYER).append(s.layer());
                    shifts.doubleColumn(RUNNING_MEAN).append(s.runningMean());
                    shifts.doubleColumn(INFERENCE_MEAN).append(s.inferenceMean());
                    shifts.doubleColumn(RUNNING_VARIANCE).append(s.runningVariance());
                    shifts.doubleColumn(INFERENCE_VARIANCE).append(s.inferenceVariance());
                    shifts.doubleColumn(VARIANCE_RATIO).append(s.ratio());
                }
                Table t = h.table().copy();
                LongColumn seed = LongColumn.create(RunSummary.SEED, t.rowCount());
                seed.setMissingTo(trial.seed());
                t.insertColumn(1, seed);
                histories.add(t);
                listener.trialFinished(trial, h);
            }
        }
        Table all = Sweep.stack("variance shift", histories);
        listener.sweepFinished(RunSummary.of(all));
        return new VarianceShiftRuns(all, shifts);
    }

    private static Table emptyShifts() {
        return Table.create(
                "variance shift per run",
                StringColumn.create(History.RUN),
                LongColumn.create(RunSummary.SEED),
                IntColumn.create(LAYER),
                DoubleColumn.create(RUNNING_MEAN),
                DoubleColumn.create(INFERENCE_MEAN),
                DoubleColumn.create(RUNNING_VARIANCE),
                DoubleColumn.create(INFERENCE_VARIANCE),
                DoubleColumn.create(VARIANCE_RATIO));
    }

    /** Every epoch of every run and seed, as {@link Sweep} stacks them. */
    public Table runs() {
        return runs;
    }

    /** The summary of the runs: accuracies over seeds, comparisons, test accuracy once for a choice. */
    public RunSummary summary() {
        return RunSummary.of(runs);
    }

    /** One row per run, seed and BN layer: the four statistics and their variance ratio. */
    public Table shifts() {
        return shifts;
    }

    /**
     * One row per configuration and BN layer, means over seeds: {@value #RUNNING_MEAN}, {@value #INFERENCE_MEAN},
     * {@value #RUNNING_VARIANCE}, {@value #INFERENCE_VARIANCE}, and {@value #VARIANCE_RATIO} with {@code _min} and
     * {@code _max} over seeds.
     */
    public Table table() {
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int i = 0; i < shifts.rowCount(); i++) {
            rows.computeIfAbsent(
                            shifts.stringColumn(History.RUN).get(i) + "\u0000"
                                    + shifts.intColumn(LAYER).get(i),
                            k -> new ArrayList<>())
                    .add(i);
        }
        StringColumn run = StringColumn.create(History.RUN);
        IntColumn layer = IntColumn.create(LAYER);
        IntColumn seeds = IntColumn.create(RunSummary.SEEDS);
        List<String> measures =
                List.of(RUNNING_MEAN, INFERENCE_MEAN, RUNNING_VARIANCE, INFERENCE_VARIANCE, VARIANCE_RATIO);
        Map<String, DoubleColumn> cols = new LinkedHashMap<>();
        measures.forEach(m -> cols.put(m, DoubleColumn.create(m)));
        cols.put(VARIANCE_RATIO + RunSummary.MIN, DoubleColumn.create(VARIANCE_RATIO + RunSummary.MIN));
        cols.put(VARIANCE_RATIO + RunSummary.MAX, DoubleColumn.create(VARIANCE_RATIO + RunSummary.MAX));
        for (List<Integer> idx : rows.values()) {
            run.append(shifts.stringColumn(History.RUN).get(idx.get(0)));
            layer.append(shifts.intColumn(LAYER).get(idx.get(0)));
            seeds.append(idx.size());
            for (String m : measures) {
                cols.get(m).append(spread(m, idx).mean());
            }
            Spread ratio = spread(VARIANCE_RATIO, idx);
            cols.get(VARIANCE_RATIO + RunSummary.MIN).append(ratio.min());
            cols.get(VARIANCE_RATIO + RunSummary.MAX).append(ratio.max());
        }
        Table t = Table.create("variance shift", run, layer, seeds);
        cols.values().forEach(t::addColumns);
        return t;
    }

    /** The spread over seeds of {@code run}'s variance ratio at BN layer {@code layer} (1-based). */
    public Spread ratio(String run, int layer) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < shifts.rowCount(); i++) {
            if (shifts.stringColumn(History.RUN).get(i).equals(run)
                    && shifts.intColumn(LAYER).get(i) == layer) {
                idx.add(i);
            }
        }
        if (idx.isEmpty()) {
            throw new IllegalArgumentException("no BN layer " + layer + " of run '" + run + "' measured: runs are "
                    + shifts.stringColumn(History.RUN).unique().asList() + ", layers count from 1");
        }
        return spread(VARIANCE_RATIO, idx);
    }

    private Spread spread(String column, List<Integer> idx) {
        return Spread.of(idx.stream()
                .mapToDouble(i -> shifts.doubleColumn(column).getDouble(i))
                .toArray());
    }
}
