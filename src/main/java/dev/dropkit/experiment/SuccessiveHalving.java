package dev.dropkit.experiment;

import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Successive halving (Karnin et al. 2013; Jamieson and Talwalkar 2016): an automatic search over candidate
 * configurations under a fixed training budget. The budget is split evenly over {@code ceil(log_eta n)} rungs; in each
 * rung every surviving candidate gets an equal share of it, training on from where it stopped (a resumable
 * {@link TrainingRun}), and only the best {@code 1/eta} by validation accuracy go on. Bad candidates are stopped after a few
 * cheap epochs, so most of the budget goes to the promising ones.
 *
 * <pre>{@code
 * var search = SuccessiveHalving.of(candidates).eta(2).budgetSeconds(60).run(mnist);
 * System.out.println(search.rungs().printAll());
 * String winner = search.best();
 * }</pre>
 *
 * <p>Within a rung the candidates train at the same time on {@link #parallelism(int)} threads of this JVM (default:
 * one per core, or the slots of a local {@code DROPKIT_BACKEND}); the ranking waits for the whole rung, so with an
 * epoch budget the result is the sequential one (timing columns aside). A candidate whose training throws is ranked
 * last with its message in {@link Result#failures()}. {@link Asha} promotes without waiting for whole rungs.
 *
 * <p>The budget counts training seconds (or epochs) only, as {@link History} does; evaluation after each epoch
 * comes on top. Candidates are ranked by the validation accuracy after their last epoch (the data must hold a
 * validation split); the winner's test accuracy, which played no part in the choice, is reported once in
 * {@link Result#toString()}.
 */
public final class SuccessiveHalving extends CandidateSearch<SuccessiveHalving, SuccessiveHalving.Result> {
    /** Columns of {@link Result#rungs()}, besides {@link History#RUN}, {@link RunSummary#EPOCHS} and val_accuracy. */
    public static final String RUNG = "rung";

    public static final String RUNG_SECONDS = "rung_seconds";
    public static final String RANK = "rank";
    public static final String PROMOTED = "promoted";

    private int eta = 2;
    private double budgetSeconds = Double.NaN;
    private int budgetEpochs;
    private int maxEpochs = Integer.MAX_VALUE;

    private SuccessiveHalving(List<Training> candidates) {
        super("successive halving", candidates);
    }

    /** A search over {@code candidates}: at least one, each with a distinct label. */
    public static SuccessiveHalving of(List<Training> candidates) {
        return new SuccessiveHalving(candidates);
    }

    /** The fraction kept after each rung is {@code 1/eta}; at least 2 (default 2: halving). */
    public SuccessiveHalving eta(int eta) {
        if (eta < 2) {
            throw new IllegalArgumentException("eta " + eta + " must be at least 2 (2 keeps half after each rung)");
        }
        this.eta = eta;
        return this;
    }

    /** Total training seconds for the search (each candidate trains at least one epoch per rung it is in). */
    public SuccessiveHalving budgetSeconds(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("time budget " + seconds + " s must be a positive number of seconds");
        }
        this.budgetSeconds = seconds;
        this.budgetEpochs = 0;
        return this;
    }

    /** Total training epochs for the search, summed over candidates (at least one per candidate per rung). */
    public SuccessiveHalving budgetEpochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epoch budget " + epochs + " must be at least 1");
        }
        this.budgetEpochs = epochs;
        this.budgetSeconds = Double.NaN;
        return this;
    }

    /**
     * No candidate trains more than {@code epochs} epochs in all (Hyperband's maximum resource R). A seconds budget
     * turns into more epochs when the machine gets faster during the search; this bounds the wall time either way.
     */
    public SuccessiveHalving maxEpochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("maximum epochs per candidate " + epochs + " must be at least 1");
        }
        this.maxEpochs = epochs;
        return this;
    }

    /** Rungs for {@code n} candidates: {@code ceil(log_eta n)}, at least one. */
    public int rungs() {
        int rungs = 0;
        for (long reach = 1; reach < candidates.size(); reach *= eta) {
            rungs++;
        }
        return Math.max(1, rungs);
    }

    @Override
    void checkSettings() {
        if (Double.isNaN(budgetSeconds) && budgetEpochs == 0) {
            throw new IllegalArgumentException(
                    "successive halving needs a budget: call budgetSeconds(...) or " + "budgetEpochs(...)");
        }
    }

    @Override
    Result run(SearchRunner runner) {
        int rungCount = rungs();
        Table rungs = Table.create(
                "successive halving",
                IntColumn.create(RUNG),
                StringColumn.create(History.RUN),
                IntColumn.create(RunSummary.EPOCHS),
                DoubleColumn.create(RUNG_SECONDS),
                DoubleColumn.create(History.VAL_ACCURACY),
                IntColumn.create(RANK),
                BooleanColumn.create(PROMOTED));
        History[] latest = new History[candidates.size()];
        java.util.Map<String, String> failures = new java.util.LinkedHashMap<>();
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            alive.add(i);
        }
        for (int rung = 0; rung < rungCount; rung++) {
            int n = alive.size();
            int r = rung;
            java.util.Map<Integer, Double> spent = new java.util.HashMap<>();
            java.util.Iterator<Integer> each = alive.iterator();
            runner.run(() -> each.hasNext() ? job(each.next(), r, n, rungCount, latest) : null, d -> {
                int c = d.job().candidate();
                if (d.history() != null) {
                    latest[c] = d.history();
                }
                if (d.failed()) {
                    failures.put(candidates.get(c).label(), d.error());
                } else {
                    spent.put(c, d.seconds());
                }
            });
            java.util.Map<Integer, Double> accuracies = new java.util.HashMap<>();
            for (int c : alive) {
                accuracies.put(c, failures.containsKey(candidates.get(c).label()) ? -1 : accuracy(latest[c]));
            }
            List<Integer> order = new ArrayList<>(alive);
            order.sort(Comparator.comparingDouble(c -> -accuracies.get(c))); // stable: ties keep the candidates' order
            int keep = rung == rungCount - 1 ? 1 : (n + eta - 1) / eta;
            List<Integer> next = new ArrayList<>();
            for (int rank = 0; rank < n; rank++) {
                int c = order.get(rank);
                boolean failed = accuracies.get(c) < 0;
                boolean promoted = rank < keep && !failed;
                rungs.intColumn(RUNG).append(rung + 1);
                rungs.stringColumn(History.RUN).append(candidates.get(c).label());
                rungs.intColumn(RunSummary.EPOCHS).append(latest[c] == null ? 0 : latest[c].epochs());
                rungs.doubleColumn(RUNG_SECONDS).append(spent.getOrDefault(c, Double.NaN));
                rungs.doubleColumn(History.VAL_ACCURACY).append(failed ? Double.NaN : accuracies.get(c));
                rungs.intColumn(RANK).append(rank + 1);
                rungs.booleanColumn(PROMOTED).append(promoted);
                if (promoted) {
                    next.add(c);
                }
            }
            alive.clear();
            alive.addAll(next);
            if (alive.isEmpty()) {
                throw new IllegalStateException("every candidate of the successive halving failed; e.g. "
                        + failures.entrySet().iterator().next());
            }
        }
        List<Table> histories = java.util.Arrays.stream(latest)
                .filter(h -> h != null && h.epochs() > 0)
                .map(h -> h.table())
                .toList();
        return new Result(
                rungs,
                Sweep.stack("successive halving", histories),
                History.of(latest[alive.get(0)].table().copy()),
                failures);
    }

    /** Candidate {@code c}'s job in {@code rung}: its share of the budget, with {@code alive} candidates in the rung. */
    private RungJob job(int c, int rung, int alive, int rungCount, History[] latest) {
        if (budgetEpochs > 0) {
            int before = latest[c] == null ? 0 : latest[c].epochs();
            int share = Math.max(1, budgetEpochs / (rungCount * alive));
            return RungJob.epochs(c, rung, (int) Math.min((long) before + share, maxEpochs), maxEpochs);
        }
        return RungJob.seconds(c, rung, budgetSeconds / (rungCount * alive), maxEpochs);
    }

    private static double accuracy(History h) {
        return h == null || h.epochs() == 0 ? 0 : h.finalValAccuracy();
    }

    /** What the search did: one row per candidate and rung, every candidate's history, and the winner. */
    public static final class Result implements Search.Result {
        private final Table rungs;
        private final Table histories;
        private final History best;
        private final java.util.Map<String, String> failures;

        Result(Table rungs, Table histories, History best, java.util.Map<String, String> failures) {
            this.rungs = rungs;
            this.histories = histories;
            this.best = best;
            this.failures = java.util.Map.copyOf(failures);
        }

        /** Candidates whose training threw, with the one-line message (ranked last, never promoted). */
        public java.util.Map<String, String> failures() {
            return failures;
        }

        /**
         * Columns rung (1-based), run, epochs (trained so far), rung_seconds (training seconds in this rung),
         * val_accuracy (after the rung), rank (within the rung by it) and promoted (went on to the next rung, or won).
         */
        public Table rungs() {
            return rungs;
        }

        /** Every candidate's per-epoch history, stacked (stopped candidates end early). */
        public Table histories() {
            return histories;
        }

        /** The winner's label (chosen on validation accuracy). */
        public String best() {
            return best.run();
        }

        public History bestHistory() {
            return best;
        }

        /** Training seconds summed over every candidate and rung. */
        public double totalSeconds() {
            return rungs.doubleColumn(RUNG_SECONDS).sum();
        }

        /** Total epochs trained over all candidates. */
        public int totalEpochs() {
            return histories.rowCount();
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "successive halving: %d candidates, %d epochs, %.1f s of training; "
                            + "chosen on validation accuracy: %s (%.2f%%); its test accuracy: %.2f%%",
                    histories.stringColumn(History.RUN).countUnique(),
                    totalEpochs(),
                    totalSeconds(),
                    best(),
                    100 * best.finalValAccuracy(),
                    100 * best.finalTestAccuracy());
        }
    }
}
