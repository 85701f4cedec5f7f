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
        int n = Math.toIntExact(x.size());
        // The engine aliases a direct buffer instead of copying it; duplicate() gives the mask its own memory, so
        // the buffer can be refilled at the next step while autograd still holds this mask (64 KB: microseconds).
        try (NDArray view = x.getManager().create(masks.floats(n, rate, 1f / (1f - rate)), x.getShape(),
                DataType.FLOAT32)) {
            NDArray mask = view.duplicate();
            return x.mul(mask);
        }
    }
}
