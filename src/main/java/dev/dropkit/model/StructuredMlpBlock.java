package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * An MLP whose hidden layers use {@link StructuredDropout} and skip the dropped units: per minibatch each hidden
 * layer keeps a random set K of its units, and the products use only {@code W[K, :]}, {@code b[K]} and the next
 * layer's {@code W[:, K]}, so a dropped unit costs nothing (about half the arithmetic of both products at p = 0.5).
 * The 1/(1-p) scale is folded into the next layer's sliced weights (10×|K| values, not batch×|K|). The engine's
 * autograd scatters the gradients of the slices back into the full weights. At inference all units are used.
 */
final class StructuredMlpBlock extends AbstractBlock {
    private final List<Linear> linears = new ArrayList<>();
    private final List<StructuredDropout> dropouts = new ArrayList<>();
    private final int inputs;

    StructuredMlpBlock(Mlp mlp) {
        super((byte) 1);
        if (mlp.hidden().isEmpty()) {
            throw new IllegalArgumentException("structured dropout needs a hidden layer (Linear→ReLU→Dropout→Linear),"
                    + " but " + mlp + " has none: add one with Mlp.builder().hidden(128, 0.5)");
        }
        this.inputs = mlp.inputs();
        int i = 0;
        for (Mlp.Hidden h : mlp.hidden()) {
            linears.add(addChildBlock(
                    "linear" + i, Linear.builder().setUnits(h.units()).build()));
            dropouts.add(addChildBlock("dropout" + i, new StructuredDropout(h.dropout())));
            i++;
        }
        linears.add(addChildBlock(
                "linear" + i, Linear.builder().setUnits(mlp.outputs()).build()));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = inputs.singletonOrThrow();
        NDManager manager = h.getManager();
        NDArray previousKept = null; // indices of the previous layer's kept units, null for all
        float previousScale = 1f;
        for (int i = 0; i < linears.size(); i++) {
            NDArray w = value(ps, linears.get(i), "weight", h, training);
            NDArray b = value(ps, linears.get(i), "bias", h, training);
            boolean hidden = i < dropouts.size();
            NDArray kept = null;
            float rate = hidden ? (float) dropouts.get(i).rate() : 0f;
            if (training && rate > 0) {
                kept = engineOwned(manager.create(
                        dropouts.get(i).keptUnits(Math.toIntExact(w.getShape().get(0)))));
                w = w.get(manager, new NDIndex("{}", kept));
                b = b.get(manager, new NDIndex("{}", kept));
            }
            if (previousKept != null) {
                w = w.get(manager, new NDIndex(":, {}", previousKept)).mul(manager.full(new Shape(), previousScale));
            }
            h = Linear.linear(h, w, b).head();
            if (hidden) {
                h = Activation.relu(h);
            }
            previousKept = kept;
            previousScale = kept != null ? 1f / (1f - rate) : 1f;
        }
        return new NDList(h);
    }

    /**
     * A copy in the engine's own memory. Autograd keeps the tensors it needs for the backward pass (here: the
     * indices of the kept units, and the scale) by reference. A tensor made from Java data aliases a Java direct
     * buffer that only its Java object keeps alive; DJL closes the temporaries it makes for {@code mul(Number)} at
     * once, so the buffer could be freed by the garbage collector before the backward pass read it (it happened:
     * garbage gradients, a run that ended at chance). Hence no {@code mul(float)} here, and indices copied.
     */
    private static NDArray engineOwned(NDArray javaBacked) {
        try (javaBacked) {
            return javaBacked.duplicate();
        }
    }

    private static NDArray value(ParameterStore ps, Linear linear, String name, NDArray input, boolean training) {
        Parameter p = linear.getParameters().get(name);
        return ps.getValue(p, input.getDevice(), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (Linear linear : linears) {
            linear.initialize(manager, dataType, shape);
            shape = linear.getOutputShapes(new Shape[] {shape})[0];
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape shape = inputShapes[0];
        for (Linear linear : linears) {
            shape = linear.getOutputShapes(new Shape[] {shape})[0];
        }
        return new Shape[] {shape};
    }

    @Override
    public String toString() {
        return "StructuredMlp(" + inputs + " inputs, " + dropouts.size() + " hidden)";
    }
}
