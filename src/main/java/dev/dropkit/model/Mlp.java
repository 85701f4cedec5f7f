package dev.dropkit.model;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A multilayer perceptron as an immutable description: inputs, hidden ReLU layers each with its own dropout rate,
 * optionally batch normalization in every hidden layer, and a linear output layer (softmax lives in the loss).
 * {@link #block()} builds fresh DJL layers, so one description can be trained many times.
 *
 * <pre>{@code
 * Mlp seed = Mlp.seedModel();                              // 784 → 128 ReLU → Dropout(0.5) → 10
 * Mlp deep = Mlp.builder().hidden(256, 0.2).hidden(128, 0.5).dropoutKind(DropoutKind.FAST).build();
 * Mlp none = seed.withDropout(0);
 * Mlp bn = seed.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN); // 784 → 128 → BN → ReLU → Dropout(0.5) → 10
 * Mlp learned = seed.withDropoutKind(DropoutKind.CONCRETE);     // the rate starts at 0.5 and is trained
 * }</pre>
 *
 * <p>With batch normalization the hidden {@code Linear} layers have no bias (BN's shift does its work), and each
 * hidden layer is built as {@link BatchNormOrder} describes. A training batch must then hold at least two examples:
 * {@link #checkBatchSize(int, int)} says so before training starts.
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
    private final DropoutKind dropoutKind;
    private final BatchNormOrder batchNorm; // null: no batch normalization
    private final ConcreteDropout.Settings concrete;

    private Mlp(
            int inputs,
            List<Hidden> hidden,
            int outputs,
            DropoutKind dropoutKind,
            BatchNormOrder batchNorm,
            ConcreteDropout.Settings concrete) {
        if (dropoutKind == null) {
            throw new IllegalArgumentException(
                    "dropout kind is missing: use one of " + DropoutKind.names() + ", e.g. DropoutKind.STANDARD");
        }
        if (batchNorm != null && dropoutKind == DropoutKind.STRUCTURED) {
            throw new IllegalArgumentException("structured dropout's fused block has no batch normalization: use"
                    + " dropout kind standard or fast with batchNorm, or drop batchNorm");
        }
        if (batchNorm == BatchNormOrder.DROPOUT_BEFORE_BN && dropoutKind == DropoutKind.CONCRETE) {
            throw new IllegalArgumentException("concrete dropout regularises the weights of the layer it feeds, and"
                    + " placed before BN it feeds none: use BatchNormOrder.DROPOUT_AFTER_BN or DROPOUT_AFTER_LAST_BN");
        }
        this.inputs = inputs;
        this.hidden = List.copyOf(hidden);
        this.outputs = outputs;
        this.dropoutKind = dropoutKind;
        this.batchNorm = batchNorm;
        this.concrete = concrete == null ? ConcreteDropout.Settings.PAPER_DEFAULTS : concrete;
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
        return new Mlp(
                inputs,
                hidden.stream().map(h -> new Hidden(h.units(), rate)).toList(),
                outputs,
                dropoutKind,
                batchNorm,
                concrete);
    }

    /** The same hidden layers for data of {@code inputs} features and {@code outputs} classes. */
    public Mlp withSizes(int inputs, int outputs) {
        Builder checked = builder().inputs(inputs).outputs(outputs); // one-line errors for bad sizes
        return new Mlp(checked.inputs, hidden, checked.outputs, dropoutKind, batchNorm, concrete);
    }

    /** The same layers with another dropout implementation. */
    public Mlp withDropoutKind(DropoutKind kind) {
        return new Mlp(inputs, hidden, outputs, kind, batchNorm, concrete);
    }

    /** The same layers with batch normalization in every hidden layer, dropout placed as {@code order} says. */
    public Mlp withBatchNorm(BatchNormOrder order) {
        if (order == null) {
            throw new IllegalArgumentException(
                    "batch-norm order is missing: use one of " + BatchNormOrder.names() + ", or withoutBatchNorm()");
        }
        return new Mlp(inputs, hidden, outputs, dropoutKind, order, concrete);
    }

    /** The same layers without batch normalization. */
    public Mlp withoutBatchNorm() {
        return new Mlp(inputs, hidden, outputs, dropoutKind, null, concrete);
    }

    /** The same layers with other settings for {@link DropoutKind#CONCRETE} (used only by that kind). */
    public Mlp withConcrete(ConcreteDropout.Settings settings) {
        return new Mlp(inputs, hidden, outputs, dropoutKind, batchNorm, settings);
    }

    public DropoutKind dropoutKind() {
        return dropoutKind;
    }

    /** Where dropout sits relative to batch normalization, or empty for a model without it. */
    public Optional<BatchNormOrder> batchNorm() {
        return Optional.ofNullable(batchNorm);
    }

    /** Temperature and regularisers of {@link DropoutKind#CONCRETE} layers (the paper's defaults unless set). */
    public ConcreteDropout.Settings concrete() {
        return concrete;
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

    /**
     * A one-line error unless batches of {@code batchSize} drawn from {@code trainingExamples} examples can train
     * this model: with batch normalization every training batch, the last of an epoch included, needs at least two
     * examples. The training loop calls it before the first step; without batch normalization it accepts anything.
     */
    public void checkBatchSize(int batchSize, int trainingExamples) {
        checkBatchSize(batchSize, trainingExamples, 1);
    }

    /**
     * As {@link #checkBatchSize(int, int)} for batches split into up to {@code workers} equal shards (at most one per
     * example), each normalised by its own statistics: every shard of every batch needs at least two examples.
     */
    public void checkBatchSize(int batchSize, int trainingExamples, int workers) {
        if (batchNorm == null) {
            return;
        }
        BatchNormLayer.checkBatchSize(batchSize);
        if (workers > 1 && batchSize / Math.min(workers, batchSize) < 2) {
            throw new IllegalArgumentException("batch normalization needs at least 2 examples per worker's shard, but "
                    + "a batch of " + batchSize + " split over " + workers + " workers gives shards of "
                    + batchSize / workers + ": use a batch of at least " + 2 * workers + " or fewer workers");
        }
        int last = trainingExamples % batchSize;
        int lastShards = Math.min(Math.max(workers, 1), Math.max(last, 1));
        if (last > 0 && last / lastShards < 2) {
            throw new IllegalArgumentException("with " + trainingExamples + " training examples in batches of "
                    + batchSize + " the last batch of each epoch holds " + last
                    + (lastShards > 1 ? " examples over " + lastShards + " workers" : " example")
                    + ", too few for batch normalization (2 per worker):"
                    + " choose a batch size that leaves a larger remainder, or another subset size");
        }
    }

    /** New, uninitialised DJL layers for this description. */
    public SequentialBlock block() {
        SequentialBlock block = new SequentialBlock();
        if (dropoutKind == DropoutKind.STRUCTURED) {
            return block.add(new StructuredMlpBlock(this)); // fused: skips dropped units in both products
        }
        List<Linear> linears = new ArrayList<>();
        for (Hidden h : hidden) {
            linears.add(Linear.builder()
                    .setUnits(h.units())
                    .optBias(batchNorm == null)
                    .build());
        }
        linears.add(Linear.builder().setUnits(outputs).build());
        for (int i = 0; i < hidden.size(); i++) {
            double rate = rate(i);
            block.add(linears.get(i));
            if (batchNorm == BatchNormOrder.DROPOUT_BEFORE_BN) {
                if (rate > 0) {
                    block.add(dropoutKind.create(rate));
                }
                block.add(new BatchNormLayer()).add(Activation::relu);
            } else {
                if (batchNorm != null) {
                    block.add(new BatchNormLayer());
                }
                block.add(Activation::relu);
                if (rate > 0) {
                    block.add(
                            dropoutKind == DropoutKind.CONCRETE
                                    ? new ConcreteDropout(
                                            rate,
                                            concrete,
                                            linears.get(i + 1).getParameters().get("weight"))
                                    : dropoutKind.create(rate));
                }
            }
        }
        return block.add(linears.get(hidden.size()));
    }

    /** Hidden layer {@code i}'s dropout rate as built: with dropout after the last BN only the last layer has one. */
    private double rate(int i) {
        if (batchNorm == BatchNormOrder.DROPOUT_AFTER_LAST_BN && i < hidden.size() - 1) {
            return 0;
        }
        return hidden.get(i).dropout();
    }

    /**
     * The layers in forward order, e.g. {@code 784-128(dropout 0.5)-10}, {@code 784-128(fast dropout 0.5)-10},
     * {@code 784-128(bn, dropout 0.5)-10} (BN, then dropout) or {@code 784-128(dropout 0.5, bn)-10}.
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(inputs);
        for (int i = 0; i < hidden.size(); i++) {
            List<String> parts = new ArrayList<>();
            if (batchNorm != null) {
                parts.add("bn");
            }
            if (rate(i) > 0) {
                String dropout =
                        (dropoutKind == DropoutKind.STANDARD ? "" : dropoutKind.label() + " ") + "dropout " + rate(i);
                parts.add(batchNorm == BatchNormOrder.DROPOUT_BEFORE_BN ? 0 : parts.size(), dropout);
            }
            b.append('-').append(hidden.get(i).units());
            if (!parts.isEmpty()) {
                b.append('(').append(String.join(", ", parts)).append(')');
            }
        }
        return b.append('-').append(outputs).toString();
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
        private DropoutKind dropoutKind = DropoutKind.STANDARD;
        private BatchNormOrder batchNorm;
        private ConcreteDropout.Settings concrete;

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

        /** Which dropout implementation the hidden layers use (default {@link DropoutKind#STANDARD}). */
        public Builder dropoutKind(DropoutKind kind) {
            this.dropoutKind = kind;
            return this;
        }

        /** Batch normalization in every hidden layer, with dropout placed as {@code order} says. */
        public Builder batchNorm(BatchNormOrder order) {
            if (order == null) {
                throw new IllegalArgumentException("batch-norm order is missing: use one of " + BatchNormOrder.names());
            }
            this.batchNorm = order;
            return this;
        }

        /** Settings of {@link DropoutKind#CONCRETE} layers (default {@link ConcreteDropout.Settings#PAPER_DEFAULTS}). */
        public Builder concrete(ConcreteDropout.Settings settings) {
            this.concrete = settings;
            return this;
        }

        public Mlp build() {
            return new Mlp(inputs, hidden, outputs, dropoutKind, batchNorm, concrete);
        }
    }
}
