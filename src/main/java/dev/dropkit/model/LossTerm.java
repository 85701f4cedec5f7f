package dev.dropkit.model;

import ai.djl.ndarray.NDArray;

/**
 * A layer that adds a term to the training loss, such as a learned dropout rate's regulariser. The training loop
 * finds such layers in the model and adds their terms to every minibatch's loss before the backward pass.
 */
public interface LossTerm {
    /** This minibatch's term (a scalar), computed from the layer's current parameters after the forward pass. */
    NDArray lossTerm();
}
