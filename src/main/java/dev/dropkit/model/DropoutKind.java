package dev.dropkit.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.stream.Collectors;

/**
 * The dropout implementations an {@link Mlp} can use, so that notebooks, the command line and the builder choose
 * them the same way.
 *
 * <pre>{@code
 * Mlp fast = Mlp.builder().hidden(128, 0.5).dropoutKind(DropoutKind.FAST).build();
 * DropoutKind kind = DropoutKind.parse("structured");   // the command line's --dropout-kind
 * DropoutLayer layer = DropoutKind.STANDARD.create(0.5);
 * }</pre>
 */
public enum DropoutKind {
    /** The engine's own dropout operator (PyTorch's {@code dropout}): the reference. */
    STANDARD("standard", true, false, StandardDropout::new),
    /** The same semantics with a mask drawn in Java and applied by one multiply ({@link FastDropout}). */
    FAST("fast", true, false, FastDropout::new),
    /** Whole units dropped for a whole minibatch; the MLP skips them in its products ({@link StructuredDropout}). */
    STRUCTURED("structured", false, false, StructuredDropout::new),
    /**
     * A rate learned per layer by gradient descent through a relaxed Bernoulli mask (Gal, Hron and Kendall 2017,
     * {@link ConcreteDropout}); the model's rate is the initial one.
     */
    CONCRETE("concrete", true, true, rate -> new ConcreteDropout(rate, ConcreteDropout.Settings.PAPER_DEFAULTS));

    private final String label;
    private final boolean elementwise;
    private final boolean learnsRate;
    private final DoubleFunction<DropoutLayer> factory;

    DropoutKind(String label, boolean elementwise, boolean learnsRate, DoubleFunction<DropoutLayer> factory) {
        this.label = label;
        this.elementwise = elementwise;
        this.learnsRate = learnsRate;
        this.factory = factory;
    }

    /** The name the command line and tables use, e.g. {@code "fast"}. */
    public String label() {
        return label;
    }

    /** True when each element gets its own mask value (false for units dropped for a whole batch). */
    public boolean elementwise() {
        return elementwise;
    }

    /** True when training changes the rate (the rate given to the model is where it starts). */
    public boolean learnsRate() {
        return learnsRate;
    }

    /** A new layer of this kind at {@code rate} (for {@link #CONCRETE}: the initial rate, the paper's settings). */
    public DropoutLayer create(double rate) {
        return factory.apply(rate);
    }

    /** The label; see {@link #parse(String)} for the way back. */
    @Override
    public String toString() {
        return label;
    }

    /** The labels of all kinds, comma-separated in a stable order: {@code "standard, fast, structured, concrete"}. */
    public static String names() {
        return Arrays.stream(values()).map(DropoutKind::label).collect(Collectors.joining(", "));
    }

    /** The kind named {@code text} (its label or constant name, any case), or a one-line error listing them. */
    public static DropoutKind parse(String text) {
        String key = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        for (DropoutKind kind : values()) {
            if (kind.label.equals(key) || kind.name().toLowerCase(Locale.ROOT).equals(key)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown dropout variant '" + text + "': use one of " + names());
    }
}
