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
import java.util.Arrays;
import java.util.List;

/**
 * An MLP whose hidden layers use {@link StructuredDropout} and skip the dropped units: per minibatch each hidden
 * layer keeps a random set K of its units, and the products use only {@code W[K, :]}, {@code b[K]} and the next
 * layer's {@code W[:, K]}, so a dropped unit costs nothing (about half the arithmetic of both products at p = 0.5).
 * The 1/(1-p) scale is folded into the next layer's sliced weights (10×|K| values, not batch×|K|). K is padded with
 * dropped units to a multiple of 8 (the engine's products are much slower at other widths); those compute, but the
 * next layer sees them scaled by 0, so they change no output and no gradient. At inference all units are used.
 *
 * <p>Two ways to train it. By default the engine's autograd scatters the gradients of the slices back into
 * full-size gradients of the weights, and the optimizer updates every weight. In a compact step
 * ({@link CompactSlicing}, which the training loop uses where it is exact) the slices are copied once into small
 * leaf arrays, only they get gradients, and the loop's step moves the selected weights by them
 * ({@link CompactSlice#sgd}): no full-size gradient is made, scattered into, updated or zeroed.
 */
final class StructuredMlpBlock extends AbstractBlock implements CompactSlicing {
    private final List<Linear> linears = new ArrayList<>();
    private final List<StructuredDropout> dropouts = new ArrayList<>();
    private final int inputs;
    private final List<CompactSlice> pending = new ArrayList<>(); // the slices of the announced compact step
    private NDManager compactOwner; // set by gatherNextStepInto until the next training forward pass

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
    public synchronized void gatherNextStepInto(NDManager owner) {
        compactOwner = owner;
        pending.clear();
    }

    @Override
    public synchronized List<CompactSlice> takeSlices() {
        List<CompactSlice> slices = List.copyOf(pending);
        pending.clear();
        compactOwner = null;
        return slices;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDManager owner;
        synchronized (this) {
            owner = training ? compactOwner : null;
            if (owner != null) {
                if (!pending.isEmpty()) {
                    throw new IllegalStateException("a compact step has one training forward pass, this is a second:"
                            + " announce each step with gatherNextStepInto, or train with one worker");
                }
                compactOwner = null; // one forward pass per announced step
            }
        }
        NDArray h = inputs.singletonOrThrow();
        NDManager manager = owner != null ? owner : h.getManager();
        int[] previousKept = null; // the previous layer's kept units (with padding), null for all
        float[] previousScale = null; // their scales: 1/(1-p) for a kept unit, 0 for padding
        for (int i = 0; i < linears.size(); i++) {
            Parameter wp = linears.get(i).getParameters().get("weight");
            Parameter bp = linears.get(i).getParameters().get("bias");
            NDArray w = ps.getValue(wp, h.getDevice(), training);
            NDArray b = ps.getValue(bp, h.getDevice(), training);
            boolean hidden = i < dropouts.size();
            int[] kept = null;
            float[] scale = null;
            float rate = hidden ? (float) dropouts.get(i).rate() : 0f;
            if (training && rate > 0) {
                int units = Math.toIntExact(w.getShape().get(0));
                int[] drawn = dropouts.get(i).keptUnits(units);
                kept = padded(drawn, units);
                scale = scales(drawn, kept, 1f / (1f - rate));
            }
            if (owner != null) { // the scale goes into the sliced weights: one multiply per weight, not per example
                if (kept != null || previousKept != null) {
                    w = leaf(owner, wp, w, kept, previousKept, previousScale);
                }
                if (kept != null) {
                    b = leaf(owner, bp, b, kept, null, null);
                }
            } else {
                if (kept != null) {
                    NDArray rows = indices(manager, kept);
                    w = w.get(manager, rowsIndex(rows));
                    b = b.get(manager, rowsIndex(rows));
                }
                if (previousKept != null) {
                    w = w.get(manager, columnsIndex(indices(manager, previousKept)))
                            .mul(engineVector(manager, previousScale)); // per column, broadcast over the rows
                }
            }
            h = Linear.linear(h, w, b).head();
            if (hidden) {
                h = Activation.relu(h);
            }
            previousKept = kept;
            previousScale = scale;
        }
        return new NDList(h);
    }

    /**
     * The rows {@code rows} and columns {@code columns} (null: all) of {@code value}, the columns times
     * {@code scale} (null: 1), copied into a new leaf of the graph in {@code owner}, and recorded as a pending {@link CompactSlice} of {@code p}.
     */
    private NDArray leaf(NDManager owner, Parameter p, NDArray value, int[] rows, int[] columns, float[] scale) {
        CompactSlice slice = CompactSlice.gather(p, value, rows, columns, scale, owner);
        synchronized (this) {
            pending.add(slice);
        }
        return slice.leaf();
    }

    /** Index of the rows {@code rows} (an index array) of a matrix or vector. */
    static NDIndex rowsIndex(NDArray rows) {
        return new NDIndex("{}", rows);
    }

    /** Index of the columns {@code columns} (an index array) of a matrix. */
    static NDIndex columnsIndex(NDArray columns) {
        return new NDIndex(":, {}", columns);
    }

    /**
     * {@code kept} (ascending) with dropped units added, the lowest first, up to a multiple of 8 units (at most
     * {@code units}). The engine's products are up to 60% slower at widths that are not a multiple of 8 (a
     * binomial number of kept units mostly is not); the added units compute but are scaled by 0 before the next
     * layer, so they change neither the output nor any gradient (their own is exactly 0).
     */
    static int[] padded(int[] kept, int units) {
        int width = Math.min(units, (kept.length + 7) / 8 * 8);
        if (width == kept.length) {
            return kept;
        }
        boolean[] use = new boolean[units];
        for (int k : kept) {
            use[k] = true;
        }
        for (int u = 0, added = kept.length; u < units && added < width; u++) {
            if (!use[u]) {
                use[u] = true;
                added++;
            }
        }
        int[] result = new int[width];
        for (int u = 0, j = 0; u < units; u++) {
            if (use[u]) {
                result[j++] = u;
            }
        }
        return result;
    }

    /** For each of {@code used} (ascending): {@code scale} if it is one of {@code kept} (ascending), else 0. */
    static float[] scales(int[] kept, int[] used, float scale) {
        float[] result = new float[used.length];
        for (int j = 0, k = 0; j < used.length; j++) {
            if (k < kept.length && kept[k] == used[j]) {
                result[j] = scale;
                k++;
            }
        }
        return result;
    }

    /** {@code values} as a float32 vector in the engine's own memory (autograd may keep it: see {@link #indices}). */
    private static NDArray engineVector(NDManager manager, float[] values) {
        try (NDArray javaBacked = manager.create(values)) {
            return javaBacked.duplicate();
        }
    }

    /**
     * The indices {@code units} as an int64 array in the engine's own memory. Autograd keeps the tensors it needs
     * for the backward pass (here: the indices of the kept units, and the scale) by reference. A tensor made from
     * Java data aliases a Java direct buffer that only its Java object keeps alive; DJL closes the temporaries it
     * makes for {@code mul(Number)} at once, so the buffer could be freed by the garbage collector before the
     * backward pass read it (it happened: garbage gradients, a run that ended at chance). Hence no
     * {@code mul(float)} here, and indices copied.
     */
    static NDArray indices(NDManager manager, int[] units) {
        try (NDArray javaBacked =
                manager.create(Arrays.stream(units).asLongStream().toArray())) {
            return javaBacked.duplicate();
        }
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
