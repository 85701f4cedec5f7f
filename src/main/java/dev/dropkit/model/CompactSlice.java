package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;

/**
 * One training step's stand-in for part of a parameter: {@code leaf} is a copy of the rows {@code rows} and the
 * columns {@code columns} of {@code parameter}'s array (null: all of that axis), a leaf of the autograd graph in
 * its own right. The step's forward pass used the leaf instead of the parameter, so the backward pass computed the
 * gradient of the leaf only ({@code leaf.getGradient()}); the optimizer updates the leaf and writes it back with
 * {@link #writeBack()}. The arrays live in the manager of the step that made them.
 */
public record CompactSlice(Parameter parameter, NDArray leaf, NDArray rows, NDArray columns) {
    public CompactSlice {
        if (rows == null && columns == null) {
            throw new IllegalArgumentException("a compact slice of " + parameter.getName()
                    + " selects neither rows nor columns: use the parameter itself");
        }
    }

    /**
     * Copies the leaf into its place in the parameter's array, in place (call it with gradient recording off). For
     * a block of rows and columns the selected rows are read, their columns replaced and the rows put back.
     */
    public void writeBack() {
        NDArray full = parameter.getArray();
        if (columns == null) {
            full.set(StructuredMlpBlock.rowsIndex(rows), leaf);
        } else if (rows == null) {
            full.set(StructuredMlpBlock.columnsIndex(columns), leaf);
        } else {
            try (NDArray selected = full.get(StructuredMlpBlock.rowsIndex(rows))) {
                selected.set(StructuredMlpBlock.columnsIndex(columns), leaf);
                full.set(StructuredMlpBlock.rowsIndex(rows), selected);
            }
        }
    }
}
