package dev.dropkit.experiment;

import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Asynchronous successive halving (ASHA; Li et al., 2018, "A System for Massively Parallel Hyperparameter Tuning"):
 * like {@link SuccessiveHalving}, but no slot waits for a rung to fill. Rung {@code k} trains a candidate to
 * {@code minEpochs * eta^k} epochs (at most {@code maxEpochs}); whenever a slot is free it takes the most advanced
 * promotion available (a candidate in the top {@code 1/eta} of the results its rung has so far, not yet promoted),
 * else starts the next candidate at rung 0. Candidates rank on validation accuracy.
 *
 * <pre>{@code
 * var search = Asha.of(candidates).eta(2).minEpochs(1).maxEpochs(4).parallelism(2).run(mnist);
 * System.out.println(search.rungs().printAll());
 * }</pre>
 *
 * <p>With one slot the promotions, and so the result, follow from the seeds alone; with several, which candidate is
 * promoted can depend on which trial finished first (that is the point: no waiting). A candidate whose training
 * throws is left out with its message in {@link Result#failures()}.
 */
public final class Asha extends CandidateSearch<Asha, Asha.Result> {
    /** Columns of {@link Result#rungs()}, besides run, epochs and val_accuracy. */
    public static final String RUNG = SuccessiveHalving.RUNG;

    public static final String FINISHED = "finished";
    public static final String PROMOTED = SuccessiveHalving.PROMOTED;

    private int eta = 2;
    private int minEpochs = 1;
    private int maxEpochs;

    private Asha(List<Training> candidates) {
        super("ASHA", candidates);
    }

    /** A search over {@code candidates}: at least one, each with a distinct label. */
    public static Asha of(List<Training> candidates) {
        return new Asha(candidates);
    }

    /** Promote the top {@code 1/eta} of each rung; at least 2 (default 2). */
    public Asha eta(int eta) {
        if (eta < 2) {
            throw new IllegalArgumentException("eta " + eta + " must be at least 2 (2 promotes the top half)");
        }
        this.eta = eta;
        return this;
    }

    /** Epochs of rung 0 (the minimum resource r; default 1). */
    public Asha minEpochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("minimum epochs " + epochs + " must be at least 1");
        }
        this.minEpochs = epochs;
        return this;
    }

    /** Epochs of the top rung (the maximum resource R; default {@code minEpochs * eta^2}). */
    public Asha maxEpochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("maximum epochs " + epochs + " must be at least 1");
        }
        this.maxEpochs = epochs;
        return this;
    }

    /** Epochs a candidate has trained when it leaves rung {@code k}. */
    int epochsAt(int k) {
        long e = minEpochs;
        for (int i = 0; i < k; i++) {
            e *= eta;
        }
        return (int) Math.min(e, top());
    }

    /** The index of the top rung. */
    int topRung() {
        int k = 0;
        while (epochsAt(k) < top()) {
            k++;
        }
        return k;
    }

    private int top() {
        int max = maxEpochs > 0 ? maxEpochs : minEpochs * eta * eta;
        if (max < minEpochs) {
            throw new IllegalArgumentException("maximum epochs " + max + " is below the minimum " + minEpochs
                    + ": raise maxEpochs(...) or lower minEpochs(...)");
        }
        return max;
    }

    private record Job(int candidate, int rung) {}

    private record Done(Job job, double accuracy) {}

    @Override
    Result run(SearchRunner runner) {
        int topRung = topRung();
        List<List<Done>> rungResults = new ArrayList<>();
        for (int k = 0; k <= topRung; k++) {
            rungResults.add(new ArrayList<>());
        }
        Set<String> promoted = new HashSet<>(); // "candidate@rung"
        Map<String, String> failures = new LinkedHashMap<>();
        History[] latest = new History[candidates.size()];
        Table rungs = Table.create(
                "ASHA",
                IntColumn.create(RUNG),
                StringColumn.create(History.RUN),
                IntColumn.create(RunSummary.EPOCHS),
                DoubleColumn.create(History.VAL_ACCURACY),
                IntColumn.create(FINISHED),
                BooleanColumn.create(PROMOTED));
        int[] next = {0};
        runner.run(
                () -> {
                    Job job = nextJob(rungResults, promoted, next, topRung);
                    return job == null
                            ? null
                            : RungJob.epochs(job.candidate(), job.rung(), epochsAt(job.rung()), top());
                },
                d -> {
                    int c = d.job().candidate();
                    if (d.history() != null) {
                        latest[c] = d.history();
                    }
                    if (d.failed()) {
                        failures.put(candidates.get(c).label(), d.error());
                        return;
                    }
                    Job job = new Job(c, d.job().rung());
                    double accuracy =
                            d.history().epochs() == 0 ? 0 : d.history().finalValAccuracy();
                    rungResults.get(job.rung()).add(new Done(job, accuracy));
                    rungs.intColumn(RUNG).append(job.rung() + 1);
                    rungs.stringColumn(History.RUN).append(candidates.get(c).label());
                    rungs.intColumn(RunSummary.EPOCHS).append(d.history().epochs());
                    rungs.doubleColumn(History.VAL_ACCURACY).append(accuracy);
                    rungs.intColumn(FINISHED).append(rungs.rowCount());
                    rungs.booleanColumn(PROMOTED).append(false);
                });
        for (int i = 0; i < rungs.rowCount(); i++) {
            String key = index(rungs.stringColumn(History.RUN).get(i)) + "@"
                    + (rungs.intColumn(RUNG).get(i) - 1);
            rungs.booleanColumn(PROMOTED).set(i, promoted.contains(key));
        }
        return result(rungs, rungResults, latest, failures);
    }

    private int index(String label) {
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).label().equals(label)) {
                return i;
            }
        }
        return -1;
    }

    /** ASHA's get_job: the highest rung with a promotable candidate, else a new candidate, else none. */
    private Job nextJob(List<List<Done>> rungResults, Set<String> promoted, int[] next, int topRung) {
        for (int k = topRung - 1; k >= 0; k--) {
            List<Done> results = new ArrayList<>(rungResults.get(k));
            results.sort(Comparator.comparingDouble((Done d) -> -d.accuracy())
                    .thenComparingInt(d -> d.job().candidate()));
            int top = results.size() / eta;
            for (int i = 0; i < top; i++) {
                int c = results.get(i).job().candidate();
                if (promoted.add(c + "@" + k)) {
                    return new Job(c, k + 1);
                }
            }
        }
        if (next[0] < candidates.size()) {
            return new Job(next[0]++, 0);
        }
        return null;
    }

    private Result result(Table rungs, List<List<Done>> rungResults, History[] latest, Map<String, String> failures) {
        for (int k = rungResults.size() - 1; k >= 0; k--) {
            if (!rungResults.get(k).isEmpty()) {
                Done best = rungResults.get(k).stream()
                        .max(Comparator.comparingDouble(Done::accuracy)
                                .thenComparingInt(d -> -d.job().candidate()))
                        .orElseThrow();
                List<Table> histories = new ArrayList<>();
                for (History h : latest) {
                    if (h != null && h.epochs() > 0) {
                        histories.add(h.table().copy());
                    }
                }
                History bestHistory =
                        History.of(latest[best.job().candidate()].table().copy());
                return new Result(rungs, Sweep.stack("ASHA", histories), bestHistory, k + 1, failures);
            }
        }
        throw new IllegalStateException("every ASHA candidate failed; e.g. "
                + failures.entrySet().iterator().next());
    }

    /** What the search did: one row per finished rung job, every candidate's history, and the winner. */
    public static final class Result implements Search.Result {
        private final Table rungs;
        private final Table histories;
        private final History best;
        private final int bestRung;
        private final Map<String, String> failures;

        Result(Table rungs, Table histories, History best, int bestRung, Map<String, String> failures) {
            this.rungs = rungs;
            this.histories = histories;
            this.best = best;
            this.bestRung = bestRung;
            this.failures = Map.copyOf(failures);
        }

        /**
         * Columns rung (1-based), run, epochs (trained when it left the rung), val_accuracy, finished (the order in
         * which rung jobs ended) and promoted (went on to the next rung).
         */
        public Table rungs() {
            return rungs;
        }

        /** Every started candidate's per-epoch history, stacked. */
        public Table histories() {
            return histories;
        }

        /** The winner: the best validation accuracy in the highest rung reached. */
        public String best() {
            return best.run();
        }

        public History bestHistory() {
            return best;
        }

        /** Candidates whose training threw, with the one-line message. */
        public Map<String, String> failures() {
            return failures;
        }

        /** Total epochs trained over all candidates. */
        public int totalEpochs() {
            return histories.rowCount();
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "ASHA: %d candidates, %d epochs; chosen on validation accuracy in rung "
                            + "%d: %s (%.2f%%); its test accuracy: %.2f%%",
                    histories.stringColumn(History.RUN).countUnique(),
                    totalEpochs(),
                    bestRung,
                    best(),
                    100 * best.finalValAccuracy(),
                    100 * best.finalTestAccuracy());
        }
    }
}
