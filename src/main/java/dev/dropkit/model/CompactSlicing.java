package dev.dropkit.model;

import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A block that can train by compact steps: in a step announced by {@link #gatherNextStepInto}, its training forward
 * pass gathers the parts of its parameters it uses into small leaf arrays ({@link CompactSlice}) and computes with
 * those, so the backward pass makes gradients of the slices only, never full-size gradients of the parameters it
 * sliced. The training loop then updates each slice and writes it back (see the loop's optimizer step), and updates
 * the parameters the block used whole (not sliced this step) from their gradients as usual.
 *
 * <p>Outside an announced step (evaluation, other callers, a loop that does not use compact steps) the block
 * computes with its parameters, and autograd scatters the slices' gradients into full-size gradients.
 */
public interface CompactSlicing {
    /**
     * Makes the next training forward pass (exactly one) a compact one, its slices and index arrays made in
     * {@code owner}, which must stay open until the slices are written back. Forgets slices not taken.
     */
    void gatherNextStepInto(NDManager owner);

    /**
     * The slices the announced forward pass made, in forward order (empty if it made none, e.g. every dropout rate
     * 0), and ends the compact step: later forward passes use the parameters again until the next announcement.
     */
    List<CompactSlice> takeSlices();
}
