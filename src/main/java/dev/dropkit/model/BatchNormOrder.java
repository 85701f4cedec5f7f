package dev.dropkit.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where dropout sits relative to batch normalization in each hidden layer of an {@link Mlp} built with
 * {@link Mlp.Builder#batchNorm(BatchNormOrder)}. A hidden layer is a {@code Linear} (without bias: BN's shift
 * replaces it), a {@code BatchNorm} over its units, a ReLU and the layer's dropout; the orders differ only in where
 * the dropout goes:
 *
 * <ul>
 *   <li>{@link #DROPOUT_BEFORE_BN}: {@code Linear → Dropout → BN → ReLU}. BN's batch statistics in training see
 *       the dropped and rescaled pre-activations, its running statistics (used at inference, where dropout is off)
 *       therefore hold a larger variance than the inference activations have: the "variance shift" of Li, Chen, Hu
 *       and Yang (CVPR 2019) in its most direct form ({@link VarianceShift#measure} measures it).
 *   <li>{@link #DROPOUT_AFTER_BN}: {@code Linear → BN → ReLU → Dropout}, the usual stack. The layer's own BN never
 *       sees its dropout, but with two or more hidden layers a dropout still feeds the next layer's BN (through
 *       its Linear), so some variance shift remains.
 *   <li>{@link #DROPOUT_AFTER_LAST_BN}: {@code Linear → BN → ReLU} in every hidden layer and a single dropout after
 *       the last one (just before the output layer), at the last hidden layer's rate; the other hidden layers' rates
 *       are not used. No BN sees dropout: what Li et al. recommend. With one hidden layer it is the same network as
 *       {@link #DROPOUT_AFTER_BN}.
 * </ul>
 */
public enum BatchNormOrder {
    DROPOUT_BEFORE_BN("before"),
    DROPOUT_AFTER_BN("after"),
    DROPOUT_AFTER_LAST_BN("after-last");

    private final String label;

    BatchNormOrder(String label) {
        this.label = label;
    }

    /** The short name the command line uses: {@code before}, {@code after} or {@code after-last}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** The labels of all orders, comma-separated: {@code "before, after, after-last"}. */
    public static String names() {
        return Arrays.stream(values()).map(BatchNormOrder::label).collect(Collectors.joining(", "));
    }

    /** The order named {@code text} (its label or constant name, any case), or a one-line error listing them. */
    public static BatchNormOrder parse(String text) {
        String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (BatchNormOrder order : values()) {
            if (order.label.equals(key)
                    || order.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(key)) {
                return order;
            }
        }
        throw new IllegalArgumentException("unknown batch-norm order '" + text + "': use one of " + names()
                + " (where dropout goes relative to batch normalization)");
    }
}
