package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.Dropout;

/** The engine's own dropout operator (PyTorch's {@code dropout}): the reference the faster variants are held to. */
public final class StandardDropout extends DropoutLayer {
    public StandardDropout(double rate) {
        super(rate);
    }

    @Override
    public String kind() {
        return "standard";
    }

    @Override
    protected NDArray drop(NDArray x, float rate) {
        return Dropout.dropout(x, rate, true).head();
    }
}
