package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.dropkit.Env;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * One training step's stand-in for part of a parameter: {@code leaf} is a copy of the rows {@code rows} and the
 * columns {@code columns} of {@code parameter}'s array (null: all of that axis; indices ascending), a leaf of the
 * autograd graph in its own right. The step's forward pass used the leaf instead of the parameter, so the backward
 * pass computed the gradient of the leaf only ({@code leaf.getGradient()}); {@link #sgd} then updates the parameter
 * from it. The leaf lives in the manager of the step that made it.
 *
 * <p>On the CPU the copies and the update go through the tensors' own memory from Java: a row of the slice is one
 * bulk copy, and no index array, engine gather or element-wise indexed write is needed (those cost a structured
 * step more than its halved products saved). Elsewhere (a GPU) the engine's indexing does the same work.
 */
public record CompactSlice(Parameter parameter, NDArray leaf, int[] rows, int[] columns, float[] columnScale) {
    /** Parameters up to this many values are shrunk by weight decay in Java, larger ones by the engine. */
    private static final int SMALL = 4096;

    public CompactSlice {
        if (rows == null && columns == null) {
            throw new IllegalArgumentException("a compact slice of " + parameter.getName()
                    + " selects neither rows nor columns: use the parameter itself");
        }
    }

    /**
     * A slice of {@code p} (its current array {@code value}, a matrix, or a vector when {@code columns} is null): a
     * new leaf in {@code owner} holding the selected values, each selected column {@code j} multiplied by
     * {@code columnScale[j]} ({@code columnScale} null: by 1), gradient recording on it. The leaf is then the scaled
     * weight {@code W[rows, columns] * columnScale}, and {@link #sgd} applies the chain rule for the scale.
     */
    static CompactSlice gather(
            Parameter p, NDArray value, int[] rows, int[] columns, float[] columnScale, NDManager owner) {
        return gather(p, value, rows, columns, columnScale, owner, true);
    }

    /** {@link #gather}; {@code throughJava} false: by the engine's indexing even on the CPU (for tests). */
    static CompactSlice gather(
            Parameter p,
            NDArray value,
            int[] rows,
            int[] columns,
            float[] columnScale,
            NDManager owner,
            boolean throughJava) {
        Shape shape = value.getShape();
        int width = shape.dimension() == 2 ? Math.toIntExact(shape.get(1)) : 1;
        int height = Math.toIntExact(shape.get(0));
        Shape leafShape = shape.dimension() == 2
                ? new Shape(rows != null ? rows.length : height, columns != null ? columns.length : width)
                : new Shape(rows.length);
        NDArray leaf = owner.create(leafShape, DataType.FLOAT32); // uninitialised engine memory
        FloatBuffer from = throughJava ? memory(value) : null;
        FloatBuffer to = throughJava ? memory(leaf) : null;
        if (from != null && to != null) {
            copy(from, width, height, rows, columns, columnScale, to);
        } else { // the engine's indexing, off the CPU: rows, then columns, then the scale
            leaf.close();
            boolean recording = Env.gradMode(false);
            try {
                leaf = rows != null ? value.get(owner, rowsIndex(owner, rows)) : value;
                leaf = columns != null ? leaf.get(owner, columnsIndex(owner, columns)) : leaf;
                leaf = columnScale != null ? leaf.mul(owner.create(columnScale)) : leaf.duplicate();
            } finally {
                Env.gradMode(recording);
            }
        }
        leaf.setRequiresGradient(true);
        return new CompactSlice(p, leaf, rows, columns, columnScale);
    }

    /**
     * The plain SGD step of the whole parameter for a gradient that is the leaf's inside the slice (times the column
     * scale: the chain rule) and zero outside it: every value shrinks by {@code 1 - lr * decay} (weight decay, if
     * {@code decay} is not 0), and the selected ones also move by {@code -lr * gradient}. The same arithmetic as
     * the full update with a scattered gradient, value for value. Call it with gradient recording off, once per slice and step.
     */
    public void sgd(float lr, float decay) {
        sgd(lr, decay, true);
    }

    /** {@link #sgd(float, float)}; {@code throughJava} false: by the engine's indexing even on the CPU (for tests). */
    void sgd(float lr, float decay, boolean throughJava) {
        NDArray full = parameter.getArray();
        NDManager step = leaf.getManager();
        FloatBuffer target = throughJava ? memory(full) : null;
        if (decay != 0f) {
            float shrink = 1f - lr * decay;
            if (target != null && target.capacity() <= SMALL) { // a call into the engine costs more
                for (int i = 0; i < target.capacity(); i++) {
                    target.put(i, target.get(i) * shrink);
                }
            } else {
                try (NDArray shrinkBy = step.create(shrink)) {
                    full.muli(shrinkBy);
                }
            }
        }
        NDArray gradient = leaf.getGradient(); // zeros if the slice reached no loss
        Shape shape = full.getShape();
        int width = shape.dimension() == 2 ? Math.toIntExact(shape.get(1)) : 1;
        if (target != null) {
            FloatBuffer g = memory(gradient);
            g = g != null ? g : FloatBuffer.wrap(gradient.toFloatArray()); // read only: a copy will do
            addScaled(target, width, rows, columns, columnScale, g, -lr);
            return;
        }
        try (NDManager scratch = step.newSubManager()) { // the engine's indexing, off the CPU
            NDArray scaled = columnScale != null ? gradient.mul(scratch.create(columnScale)) : gradient;
            NDArray move = scaled.mul(scratch.create(-lr));
            if (rows == null || columns == null) {
                NDIndex index = rows != null ? rowsIndex(scratch, rows) : columnsIndex(scratch, columns);
                full.set(index, full.get(scratch, index).addi(move));
            } else { // a block: read the rows, change their columns, put the rows back
                NDIndex r = rowsIndex(scratch, rows);
                NDIndex c = columnsIndex(scratch, columns);
                NDArray selected = full.get(scratch, r);
                selected.set(c, selected.get(scratch, c).addi(move));
                full.set(r, selected);
            }
        }
    }

    /** The selected values of a {@code height × width} array {@code from} (scaled), row by row, into {@code to}. */
    private static void copy(
            FloatBuffer from, int width, int height, int[] rows, int[] columns, float[] scale, FloatBuffer to) {
        int n = rows != null ? rows.length : height;
        int k = 0;
        for (int i = 0; i < n; i++) {
            int base = (rows != null ? rows[i] : i) * width;
            if (columns == null) {
                to.put(k, from, base, width); // one bulk copy per row
                k += width;
            } else {
                for (int j = 0; j < columns.length; j++) {
                    float v = from.get(base + columns[j]);
                    to.put(k++, scale != null ? v * scale[j] : v);
                }
            }
        }
    }

    /**
     * {@code target[selected] += factor * (values * scale)}, {@code values} in the slice's row-major order, each
     * selected column's times its {@code scale} (null: 1), rounded as the engine rounds the same two products.
     */
    private static void addScaled(
            FloatBuffer target, int width, int[] rows, int[] columns, float[] scale, FloatBuffer values, float factor) {
        int height = target.capacity() / width;
        int n = rows != null ? rows.length : height;
        float[] row = new float[width];
        float[] move = new float[width];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int base = (rows != null ? rows[i] : i) * width;
            if (columns == null) { // a whole row: bulk copies and a loop the JIT vectorises
                target.get(base, row, 0, width);
                values.get(k, move, 0, width);
                for (int c = 0; c < width; c++) {
                    row[c] += move[c] * factor;
                }
                target.put(base, row, 0, width);
                k += width;
            } else {
                for (int j = 0; j < columns.length; j++) {
                    float g = scale != null ? values.get(k++) * scale[j] : values.get(k++);
                    target.put(base + columns[j], target.get(base + columns[j]) + g * factor);
                }
            }
        }
    }

    /** The float32 CPU tensor {@code a}'s own memory ({@link Env#cpuMemory}), or null where Java cannot reach it. */
    static FloatBuffer memory(NDArray a) {
        ByteBuffer bytes = a.getDataType() == DataType.FLOAT32 ? Env.cpuMemory(a) : null;
        return bytes != null ? bytes.asFloatBuffer() : null;
    }

    /** The engine index of the rows {@code rows} of a matrix or vector. */
    private static NDIndex rowsIndex(NDManager manager, int[] rows) {
        return StructuredMlpBlock.rowsIndex(StructuredMlpBlock.indices(manager, rows));
    }

    /** The engine index of the columns {@code columns} of a matrix. */
    private static NDIndex columnsIndex(NDManager manager, int[] columns) {
        return StructuredMlpBlock.columnsIndex(StructuredMlpBlock.indices(manager, columns));
    }
}
