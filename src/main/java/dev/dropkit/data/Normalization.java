package dev.dropkit.data;

/** How pixel bytes 0..255 become network inputs. */
public enum Normalization {
    /** x / 255, as in the Keras example the project started from. */
    SCALE,
    /** (x / 255 - mean) / std with the training set's mean and standard deviation: faster SGD convergence. */
    STANDARDIZE
}
