package dev.dropkit.train;

/**
 * Which accuracy a question about a run is asked of. Choices (best rate, fastest to a target, early stopping,
 * successive halving) are made on {@link #VALIDATION}; {@link #TEST} is for reporting the chosen configuration once.
 */
public enum Metric {
    /** Accuracy on the validation images held out of the training set. */
    VALIDATION(History.VAL_ACCURACY, "validation accuracy"),
    /** Accuracy on the test set: report it for the chosen configuration only. */
    TEST(History.TEST_ACCURACY, "test accuracy"),
    /** Accuracy on the training set (inference mode, no dropout). */
    TRAIN(History.TRAIN_ACCURACY, "training accuracy");

    private final String column;
    private final String description;

    Metric(String column, String description) {
        this.column = column;
        this.description = description;
    }

    /** The {@link History} column that holds this accuracy per epoch. */
    public String column() {
        return column;
    }

    @Override
    public String toString() {
        return description;
    }
}
