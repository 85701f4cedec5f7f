package dev.dropkit.train;

/**
 * Three ways to shrink the weights. For plain SGD the first two are the same update and the third differs only by
 * when the shrinking happens; with momentum, {@link #DECOUPLED} is a different algorithm (Loshchilov &amp; Hutter,
 * "Decoupled weight decay regularization", 2019), because the decay no longer passes through the momentum buffer.
 */
public enum WeightDecay {
    /** {@code grad + wd * w} inside the optimizer (DJL's and PyTorch's SGD {@code weight_decay}). */
    L2_GRADIENT,
    /** A penalty {@code wd / 2 * sum(w^2)} added to the loss; autograd yields the same {@code wd * w} term. */
    L2_LOSS,
    /** After the optimizer step, {@code w -= lr * wd * w}, outside the momentum buffer. */
    DECOUPLED
}
