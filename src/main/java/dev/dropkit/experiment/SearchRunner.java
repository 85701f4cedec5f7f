package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.Checkpoint;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Where a search's candidates train, one {@link RungJob} at a time each: {@link #local} keeps every candidate's
 * {@link TrainingRun} in this JVM between its jobs and trains on a pool of threads; {@link #cluster} sends each job
 * as a {@link TrialTask} with the candidate's last {@link Checkpoint} and keeps the checkpoint that comes back.
 * Because a resumed run trains exactly as the uninterrupted one, both give the same histories (timing aside).
 * {@link SuccessiveHalving} and {@link Asha} decide which jobs to hand out; this only runs them.
 */
abstract class SearchRunner implements AutoCloseable {
    /** A finished job: the candidate's history so far and the job's training seconds, or the error that stopped it. */
    record JobDone(RungJob job, History history, double seconds, String error) {
        boolean failed() {
            return error != null;
        }
    }

    /**
     * Runs the jobs {@code next} hands out (null: nothing to start now), telling {@code done} of each as it ends (one
     * call at a time, on the calling thread; {@code next} is asked again after each). A candidate has at most one job
     * at a time. Returns when nothing runs and {@code next} has nothing.
     */
    abstract void run(Supplier<RungJob> next, Consumer<JobDone> done);

    /** Task slots: how many jobs run at once. */
    abstract int slots();

    @Override
    public abstract void close();

    /** A one-line error for data without the validation split a search ranks on. */
    static void checkValidation(String search, ImageData data) {
        if (!data.hasValidation()) {
            throw new IllegalArgumentException(search + " ranks candidates on validation accuracy, but " + data.name()
                    + " has none: build the data with a validation split, e.g. .validation(0.1)");
        }
    }

    /**
     * {@link Search#run(DataSpec)} for every search: on {@code backend} (null: {@code DROPKIT_BACKEND}) if it is
     * Spark, through {@code onRunner} with a cluster runner; else the data loaded here, through {@code onLoaded}.
     */
    static <R> R run(
            String search,
            List<Training> candidates,
            DataSpec data,
            Backend backend,
            java.util.function.Function<SearchRunner, R> onRunner,
            java.util.function.Function<ImageData, R> onLoaded) {
        if (!(data.validation() > 0)) {
            throw new IllegalArgumentException(search + " ranks candidates on validation accuracy, but " + data
                    + " has no validation split: describe it with .validation(0.1)");
        }
        Backend b = backend != null ? backend : Backend.fromEnvironment();
        if (b instanceof Backend.Spark spark) {
            try (SearchRunner runner = cluster(candidates, data, spark)) {
                return onRunner.apply(runner);
            }
        }
        try (ImageData loaded = data.load()) {
            return onLoaded.apply(loaded);
        }
    }

    /** Candidates trained in up to {@code slots} threads of this JVM, on {@code data}. */
    static SearchRunner local(List<Training> candidates, ImageData data, int slots) {
        return new Local(candidates, data, slots);
    }

    /**
     * Candidates trained as tasks of a Spark application on {@code spark}, on the data {@code data} describes (each
     * executor builds its own copy); the candidates' settings are checked to travel as values first.
     */
    static SearchRunner cluster(List<Training> candidates, DataSpec data, Backend.Spark spark) {
        List<TrialSpec> specs = candidates.stream().map(TrialSpec::of).toList(); // checked before Spark starts
        return cluster(specs, data, Clusters.open(spark));
    }

    /** Candidates (as values) trained as tasks of {@code backend}. */
    static SearchRunner cluster(List<TrialSpec> candidates, DataSpec data, ClusterBackend backend) {
        return new Cluster(candidates, data, backend);
    }

    private static final class Local extends SearchRunner {
        private final List<Training> candidates;
        private final ImageData data;
        private final int slots;
        private final TrainingRun[] runs;

        Local(List<Training> candidates, ImageData data, int slots) {
            this.candidates = candidates;
            this.data = data;
            this.slots = slots;
            this.runs = new TrainingRun[candidates.size()];
        }

        @Override
        void run(Supplier<RungJob> next, Consumer<JobDone> done) {
            Pool.run(
                    next,
                    slots,
                    job -> {
                        TrainingRun run;
                        synchronized (runs) {
                            if (runs[job.candidate()] == null) {
                                runs[job.candidate()] = candidates
                                        .get(job.candidate())
                                        .copy()
                                        .progress(false)
                                        .start(data);
                            }
                            run = runs[job.candidate()];
                        }
                        return new JobDone(job, run.history(), job.train(run), null);
                    },
                    (job, d) -> done.accept(d),
                    (job, message) -> done.accept(new JobDone(job, history(job.candidate()), Double.NaN, message)));
        }

        private History history(int candidate) {
            synchronized (runs) {
                return runs[candidate] == null ? null : runs[candidate].history();
            }
        }

        @Override
        int slots() {
            return slots;
        }

        @Override
        public void close() {
            for (TrainingRun r : runs) {
                if (r != null) {
                    r.close();
                }
            }
        }
    }

    private static final class Cluster extends SearchRunner {
        private final List<TrialSpec> specs;
        private final DataSpec data;
        private final ClusterBackend backend;
        private final Checkpoint[] checkpoints;
        private final History[] histories;

        Cluster(List<TrialSpec> specs, DataSpec data, ClusterBackend backend) {
            this.specs = specs;
            this.data = data;
            this.backend = backend;
            this.checkpoints = new Checkpoint[specs.size()];
            this.histories = new History[specs.size()];
        }

        @Override
        void run(Supplier<RungJob> next, Consumer<JobDone> done) {
            Map<Integer, RungJob> running = new HashMap<>(); // by candidate: one job each at a time
            backend.run(
                    () -> {
                        RungJob job = next.get();
                        if (job == null) {
                            return null;
                        }
                        running.put(job.candidate(), job);
                        int c = job.candidate();
                        return new TrialTask(c, specs.get(c), data, job, checkpoints[c]);
                    },
                    slots(),
                    outcome -> {
                        RungJob job = running.remove(outcome.index());
                        if (outcome.failed()) {
                            done.accept(new JobDone(job, histories[job.candidate()], Double.NaN, outcome.error()));
                            return;
                        }
                        int c = job.candidate();
                        checkpoints[c] = outcome.checkpoint();
                        histories[c] = outcome.history(specs.get(c).label());
                        done.accept(new JobDone(job, histories[c], outcome.seconds(), null));
                    });
        }

        @Override
        int slots() {
            return Math.max(1, backend.slots());
        }

        @Override
        public void close() {
            // the application stays open for the next search (Clusters stops it with the JVM)
        }
    }
}
