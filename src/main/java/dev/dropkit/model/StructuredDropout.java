package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Dropout of whole units for a whole minibatch: one Bernoulli draw per unit (last axis), shared by every example
 * of the batch, survivors scaled by 1/(1-p). This is a different regulariser from standard dropout (examples of a
 * batch see the same thinned network), and what makes {@link StructuredMlpBlock} able to skip the dropped units'
 * rows and columns in its matrix products (Graham et al. 2015, "Controlled dropout" 2017). Used alone, it
 * multiplies by the unit mask; inside an {@link Mlp} built with kind "structured" it only holds the rate and draws
 * the kept units.
 */
public final class StructuredDropout extends DropoutLayer {
    private final MaskGenerator masks = new MaskGenerator();

    public StructuredDropout(double rate) {
        super(rate);
    }

    @Override
    public String kind() {
        return "structured";
    }

    /** Restarts the mask sequence (the engine seed is used otherwise). */
    public void reseed(long seed) {
        masks.reseed(seed);
    }

    /** The indices of the kept units out of {@code units} at the current rate; at least one is always kept. */
    public synchronized int[] keptUnits(int units) { // shards of a batch may draw from several threads
        float p = (float) rate();
        boolean[] keep = masks.kept(units, p);
        int count = 0;
        for (boolean k : keep) {
            count += k ? 1 : 0;
        }
        if (count == 0) {
            return new int[] {0}; // an empty layer has no gradient; rare (p^units) and harmless
        }
        int[] kept = new int[count];
        for (int i = 0, j = 0; i < units; i++) {
            if (keep[i]) {
                kept[j++] = i;
            }
        }
        return kept;
    }

    @Override
    protected NDArray drop(NDArray x, float rate) {
        int units = Math.toIntExact(x.getShape().tail());
        return x.mul(masks.tensor(x.getManager(), new Shape(units), rate, 1f / (1f - rate))); // broadcast: batch axis
    }
}
