package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.Training;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What every {@link Search} shares: its candidates, where they train and how many at once, and the two ways to run
 * it; a search says only how it hands out rung jobs ({@link #run(SearchRunner)}).
 *
 * @param <S> the search itself (for chained settings)
 * @param <R> its result
 */
abstract class CandidateSearch<S extends CandidateSearch<S, R>, R extends Search.Result> implements Search {
    /** The search's name in messages, e.g. "successive halving". */
    private final String name;

    final List<Training> candidates;
    int parallelism = defaultParallelism();
    private Backend backend; // null: DROPKIT_BACKEND for run(DataSpec)

    CandidateSearch(String name, List<Training> candidates) {
        this.name = name;
        this.candidates = checkCandidates(name, candidates);
    }

    /** {@code candidates} as an immutable list, if there is at least one and their labels differ; else one line. */
    static List<Training> checkCandidates(String search, List<Training> candidates) {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException(search + " has no candidates: give at least one Training");
        }
        Set<String> labels = new HashSet<>();
        for (Training t : candidates) {
            if (!labels.add(t.label())) {
                throw new IllegalArgumentException(
                        "two candidates are labelled '" + t.label() + "': give each Training a distinct label(...)");
            }
        }
        return List.copyOf(candidates);
    }

    /** The slots of a local {@code DROPKIT_BACKEND}, else one per core. */
    static int defaultParallelism() {
        return Backend.fromEnvironment() instanceof Backend.Local local
                ? local.parallelism()
                : Runtime.getRuntime().availableProcessors();
    }

    private S self() {
        @SuppressWarnings("unchecked")
        S self = (S) this;
        return self;
    }

    /** Candidates trained at the same time, in threads of this JVM (1: one after the other; default: the cores). */
    public S parallelism(int slots) {
        this.parallelism = Backend.checkParallelism(slots);
        return self();
    }

    @Override
    public S backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        if (backend instanceof Backend.Local local) {
            this.parallelism = local.parallelism();
        }
        return self();
    }

    @Override
    public R run(ImageData data) {
        checkSettings();
        SearchRunner.checkValidation(name, data);
        try (SearchRunner runner = SearchRunner.local(candidates, data, parallelism)) {
            return run(runner);
        }
    }

    @Override
    public R run(DataSpec data) {
        checkSettings();
        return SearchRunner.run(name, candidates, data, backend, this::run, this::run);
    }

    /** Settings that must be complete before anything trains (a one-line error otherwise); none by default. */
    void checkSettings() {}

    /** Runs the search with its candidates training on {@code runner}. */
    abstract R run(SearchRunner runner);
}
