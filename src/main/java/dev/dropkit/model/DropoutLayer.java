package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Inverted dropout with a rate that can change while training (for keep-probability schedules): in training mode
 * each unit is zeroed with probability {@code rate} and survivors are scaled by {@code 1 / (1 - rate)}, so that
 * inference is the identity. Subclasses differ only in how they draw and apply the mask.
 */
public abstract class DropoutLayer extends AbstractBlock {
    private volatile double rate; // as given: a float would print 0.2 as 0.2000000298 in history tables

    protected DropoutLayer(double rate) {
        super((byte) 1);
        setRate(rate);
    }

    /** The variant's name: the {@link DropoutKind#label()} of its kind. */
    public abstract String kind();

    public double rate() {
        return rate;
    }

    /** Changes the drop probability from the next forward pass on. */
    public void setRate(double rate) {
        Mlp.checkRate(rate);
        this.rate = rate;
    }

    /** Applies dropout at {@code rate} in (0, 1) to {@code x} in training mode. */
    protected abstract NDArray drop(NDArray x, float rate);

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        float p = (float) rate;
        return new NDList(training && p > 0 ? drop(x, p) : x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return kind() + " dropout(" + rate + ")";
    }
}
