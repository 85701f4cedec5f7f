package dev.dropkit.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A multilayer perceptron as an immutable description: inputs, hidden ReLU layers each followed by its own dropout
 * rate, and a linear output layer (softmax lives in the loss). {@link #block()} builds fresh DJL layers, so one
 * description can be trained many times.
 *
 * <pre>{@code
 * Mlp seed = Mlp.seedModel();                              // 784 → 128 ReLU → Dropout(0.5) → 10
 * Mlp deep = Mlp.builder().hidden(256, 0.2).hidden(128, 0.5).build();
 * Mlp none = seed.withDropout(0);
 * }</pre>
 */
public final class Mlp {
    /** One hidden layer: its width and the probability that a unit is dropped while training. */
    public record Hidden(int units, double dropout) {
        public Hidden {
            if (units < 1) {
                throw new IllegalArgumentException("hidden layer width " + units + " must be at least 1");
            }
            checkRate(dropout);
        }
    }

    private final int inputs;
    private final List<Hidden> hidden;
    private final int outputs;
    private final String dropoutKind;

    private Mlp(int inputs, List<Hidden> hidden, int outputs, String dropoutKind) {
        this.inputs = inputs;
        this.hidden = List.copyOf(hidden);
        this.outputs = outputs;
        this.dropoutKind = Dropouts.check(dropoutKind);
    }

    /** The model of the Keras example the project started from: 784 → 128 (ReLU) → Dropout(0.5) → 10. */
    public static Mlp seedModel() {
        return builder().hidden(128, 0.5).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same layers with every hidden layer's dropout rate set to {@code rate}. */
    public Mlp withDropout(double rate) {
        checkRate(rate);
        return new Mlp(inputs, hidden.stream().map(h -> new Hidden(h.units(), rate)).toList(), outputs, dropoutKind);
    }

    /** The same layers with another dropout implementation (see {@link Dropouts#kinds()}). */
    public Mlp withDropoutKind(String kind) {
        return new Mlp(inputs, hidden, outputs, kind);
    }

    public String dropoutKind() {
        return dropoutKind;
    }

    public int inputs() {
        return inputs;
    }

    public List<Hidden> hidden() {
        return hidden;
    }

    public int outputs() {
        return outputs;
    }

    /** New, uninitialised DJL layers for this description. */
    public SequentialBlock block() {
        SequentialBlock block = new SequentialBlock();
        if (dropoutKind.equals(Dropouts.STRUCTURED)) {
            return block.add(new StructuredMlpBlock(this)); // fused: skips dropped units in both products
        }
        for (Hidden h : hidden) {
            block.add(Linear.builder().setUnits(h.units()).build()).add(Activation::relu);
            if (h.dropout() > 0) {
                block.add(Dropouts.create(dropoutKind, h.dropout()));
            }
        }
        return block.add(Linear.builder().setUnits(outputs).build());
    }

    /** e.g. {@code 784-128(dropout 0.5)-10}. */
    @Override
    public String toString() {
        String middle = hidden.stream()
                .map(h -> h.units() + (h.dropout() > 0 ? "(" + kindPrefix() + "dropout " + h.dropout() + ")" : ""))
                .collect(Collectors.joining("-"));
        return inputs + "-" + (middle.isEmpty() ? "" : middle + "-") + outputs;
    }

    private String kindPrefix() {
        return dropoutKind.equals("standard") ? "" : dropoutKind + " ";
    }

    /** A dropout rate must lie in [0, 1): 1 would drop every unit. */
    public static void checkRate(double rate) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate " + rate
                    + " is outside [0, 1): give the fraction of units dropped, e.g. 0.5 (keep probability 0.5)");
        }
    }

    public static final class Builder {
        private int inputs = 784;
        private final List<Hidden> hidden = new ArrayList<>();
        private int outputs = 10;
        private String dropoutKind = "standard";

        public Builder inputs(int inputs) {
            if (inputs < 1) {
                throw new IllegalArgumentException("input size " + inputs + " must be at least 1");
            }
            this.inputs = inputs;
            return this;
        }

        /** Adds a ReLU layer of {@code units} followed by dropout at {@code dropout} (0 for none). */
        public Builder hidden(int units, double dropout) {
            hidden.add(new Hidden(units, dropout));
            return this;
        }

        public Builder outputs(int outputs) {
            if (outputs < 2) {
                throw new IllegalArgumentException("output size " + outputs + " must be at least 2 classes");
            }
            this.outputs = outputs;
            return this;
        }

        /** Which dropout implementation the hidden layers use (default "standard", the engine's operator). */
        public Builder dropoutKind(String kind) {
            this.dropoutKind = Dropouts.check(kind);
            return this;
        }

        public Mlp build() {
            return new Mlp(inputs, hidden, outputs, dropoutKind);
        }
    }
}
