package dev.dropkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.dropkit.Env;
import dev.dropkit.model.CompactSlice;
import java.util.List;

/**
 * The training loop's optimizer step: SGD with (heavy-ball) momentum as one fused engine update per trained
 * parameter, {@code v = momentum * v + lr * (grad + wd * w); w -= v}, then the gradient zeroed in place. The same
 * update as DJL's {@code Optimizer.sgd()}, without its per-parameter bookkeeping (a parameter-store lookup, a new
 * gradient handle and a state-map lookup per parameter and step: 80 ms of a 0.5 s MNIST epoch, 47 ms this way).
 *
 * <p>The momentum buffers are this step's own arrays, so a checkpoint can carry them ({@link #velocities()},
 * {@link #restore}). Weight decay is folded into the update only for the parameters weight decay acts on.
 *
 * <p>Public for the step profile of the bench (src/bench); training goes through {@link TrainingRun}.
 *
 * <p>With momentum 0 it also takes compact steps ({@link CompactSlice}): a parameter the step's forward pass used
 * only through slices is updated through them, without a full-size gradient.
 */
public final class SgdStep implements AutoCloseable {
    private final NDArray[] weights;
    private final NDArray[] gradients; // fetched after the first backward pass; autograd accumulates into them
    private final boolean[] decays;
    private final NDArray[] velocity; // null when momentum is 0
    private final float momentum;
    private final NDManager manager;

    /** A step for {@code weights} (each taking a gradient); {@code decays[i]}: weight decay acts on weight i. */
    public SgdStep(List<NDArray> weights, boolean[] decays, double momentum, NDManager parent) {
        this.weights = weights.toArray(new NDArray[0]);
        this.gradients = new NDArray[this.weights.length];
        this.decays = decays.clone();
        this.momentum = (float) momentum;
        this.manager = parent.newSubManager();
        if (momentum > 0) {
            velocity = new NDArray[this.weights.length];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = manager.zeros(this.weights[i].getShape(), this.weights[i].getDataType());
            }
        } else {
            velocity = null;
        }
    }

    /** Updates every weight from its accumulated gradient and zeroes the gradient. */
    public void apply(double learningRate, double weightDecay) {
        apply(learningRate, weightDecay, List.of());
    }

    /**
     * A compact step (momentum 0 only): first every {@code slices} entry, then every other weight as
     * {@link #apply(double, double)} does. A weight with a slice took no gradient of its own this step (the step's
     * forward pass used the slice's leaf instead); its update is the same as the full SGD update of the weight with
     * a gradient that is zero outside the slice ({@link CompactSlice#sgd}): the whole weight shrinks by
     * {@code 1 - lr * wd} (if weight decay acts on it) and the slice's values also move by {@code -lr * grad}. With
     * momentum it would not be the same: a dropped row still moves by its velocity, which only the full update does.
     */
    public void apply(double learningRate, double weightDecay, List<CompactSlice> slices) {
        float lr = (float) learningRate;
        float wd = (float) weightDecay;
        boolean[] sliced = new boolean[weights.length];
        if (!slices.isEmpty()) {
            if (momentum != 0) {
                throw new IllegalStateException("compact steps are exact for momentum 0 only, this step has momentum "
                        + momentum + ": train with the full update");
            }
            boolean recording = Env.gradMode(false); // in-place changes of parameters are not recorded
            try {
                for (CompactSlice slice : slices) {
                    int i = indexOf(slice.parameter().getArray());
                    if (sliced[i]) {
                        throw new IllegalStateException(
                                "two compact slices of " + slice.parameter().getName()
                                        + " in one step: a block slices each parameter once per step");
                    }
                    sliced[i] = true;
                    slice.sgd(lr, decays[i] ? wd : 0f);
                }
            } finally {
                Env.gradMode(recording);
            }
        }
        for (int i = 0; i < weights.length; i++) {
            if (sliced[i]) {
                continue;
            }
            if (gradients[i] == null) {
                gradients[i] = weights[i].getGradient();
                if (gradients[i] == null) {
                    continue; // not reached by any backward pass yet
                }
            }
            Env.sgdUpdate(
                    weights[i], gradients[i], velocity == null ? null : velocity[i], lr, decays[i] ? wd : 0f, momentum);
            Env.zeroGradient(weights[i]);
        }
    }

    private int indexOf(NDArray weight) {
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == weight) {
                return i;
            }
        }
        throw new IllegalArgumentException("a compact slice of a parameter this step does not train: slice only the "
                + "trained parameters of the model the step was made for");
    }

    /** The momentum buffers, flattened, in the order of the weights (empty arrays when momentum is 0). */
    float[][] velocities() {
        float[][] v = new float[weights.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = velocity == null ? new float[0] : velocity[i].toFloatArray();
        }
        return v;
    }

    /** Sets the momentum buffers to {@code values} (as {@link #velocities()} gave them). */
    void restore(float[][] values) {
        if (values.length != weights.length) {
            throw new IllegalArgumentException("the checkpoint holds momentum for " + values.length
                    + " parameters, the model has " + weights.length + ": restore it into the model it was taken from");
        }
        if (velocity == null) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            TrainingRun.overwrite(velocity[i], values[i]);
        }
    }

    /** Frees the momentum buffers. */
    @Override
    public void close() {
        manager.close();
    }
}
