package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Inverted dropout with the same semantics as {@link StandardDropout} (an independent Bernoulli mask per element,
 * survivors scaled by 1/(1-p), identity at inference) but a mask drawn in Java by {@link MaskGenerator} and applied
 * by one multiply. The engine's autograd differentiates the multiply by a constant, so the gradient is
 * {@code mask * upstream * scale} with no extra code and no extra pass.
 */
public final class FastDropout extends DropoutLayer {
    private final MaskGenerator masks = new MaskGenerator();

    public FastDropout(double rate) {
        super(rate);
    }

    @Override
    public String kind() {
        return "fast";
    }

    /** Restarts the mask sequence (the engine seed is used otherwise). */
    public void reseed(long seed) {
        masks.reseed(seed);
    }

    @Override
    protected NDArray drop(NDArray x, float rate) {
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("fast dropout takes float32 activations, not " + x.getDataType()
                    + ": convert with toType(DataType.FLOAT32, false)");
        }
        return x.mul(masks.tensor(x.getManager(), x.getShape(), rate, 1f / (1f - rate)));
    }
}
