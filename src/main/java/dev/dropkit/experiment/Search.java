package dev.dropkit.experiment;

import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * A search over candidate trainings that stops the poor ones early and ranks on validation accuracy
 * ({@link SuccessiveHalving}, {@link Asha}), wherever the candidates train: in threads of this JVM, or as tasks of a
 * Spark application that move each candidate between rungs as a checkpoint.
 */
public interface Search {
    /** The searches there are. */
    enum Kind {
        /** {@link SuccessiveHalving}: rungs wait for each other; a budget split over the rungs. */
        HALVING,
        /** {@link Asha}: asynchronous promotions, rungs of growing epochs. */
        ASHA
    }

    /**
     * Where the candidates train: a {@link Backend.Local} sets the number of candidates training at once; a
     * {@link Backend.Spark} sends each rung job, with the candidate's last checkpoint, to a Spark task
     * ({@link #run(DataSpec)} only). Default: {@code DROPKIT_BACKEND}, else local.
     */
    Search backend(Backend backend);

    /** Runs the search on {@code data} (which must hold a validation split), in threads of this JVM. */
    Result run(ImageData data);

    /**
     * Runs the search on the data {@code data} describes (with a validation split): on the backend's Spark executors,
     * each of which builds its own copy, or loaded here and trained in threads of this JVM.
     */
    Result run(DataSpec data);

    /** What a search did. */
    interface Result {
        /** One row per candidate and rung (the columns depend on the search). */
        Table rungs();

        /** Every started candidate's per-epoch history, stacked. */
        Table histories();

        /** The winner's label (chosen on validation accuracy). */
        String best();

        History bestHistory();

        /** Candidates whose training threw, with the one-line message. */
        Map<String, String> failures();

        /** Total epochs trained over all candidates. */
        int totalEpochs();
    }
}
