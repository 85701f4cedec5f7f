package dev.dropkit.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds the shuffled minibatches of an epoch by copying rows in Java from the training tensor's own memory into
 * one reused direct buffer. Profiled (thread CPU time, seed model, MNIST): gathering the whole shuffled epoch with
 * the engine's advanced indexing cost about 0.7 s per epoch, more than the forward and backward passes together;
 * copying 128 rows per batch costs a few milliseconds per epoch and touches no new memory.
 *
 * <p>The batch tensor aliases the buffer (the engine does not copy a direct buffer on CPU), so a batch is valid
 * until the next call to {@link #features} (labels: {@link #labels}): the training step that uses it ends before.
 */
final class BatchGather {
    private final ByteBuffer features; // (N, F) float32, the data set's memory itself
    private final long[] labels;
    private final int rowBytes;
    private final int columns;
    private final ByteBuffer featureBatch;
    private final ByteBuffer labelBatch;

    private BatchGather(NDArray x, NDArray y, int batchSize) {
        this.features = x.toByteBuffer(true).order(ByteOrder.nativeOrder());
        this.labels = y.toLongArray();
        this.columns = Math.toIntExact(x.getShape().get(1));
        this.rowBytes = 4 * columns;
        this.featureBatch = ByteBuffer.allocateDirect(batchSize * rowBytes).order(ByteOrder.nativeOrder());
        this.labelBatch = ByteBuffer.allocateDirect(batchSize * 8).order(ByteOrder.nativeOrder());
    }

    /** A gatherer for CPU float32 (N, F) features and int64 labels, or null when the data is elsewhere. */
    static BatchGather of(NDArray x, NDArray y, int batchSize, Device device) {
        boolean fits = device.equals(Device.cpu())
                && x.getDevice().equals(Device.cpu())
                && x.getDataType() == DataType.FLOAT32
                && x.getShape().dimension() == 2
                && y.getDataType() == DataType.INT64;
        return fits ? new BatchGather(x, y, batchSize) : null;
    }

    /** Rows {@code order[from..to)} of the features, as a (to - from, F) tensor in {@code manager}. */
    NDArray features(NDManager manager, long[] order, int from, int to) {
        ByteBuffer out = featureBatch.clear();
        for (int i = from; i < to; i++) {
            int row = (int) order[i];
            out.put(out.position(), features, row * rowBytes, rowBytes);
            out.position(out.position() + rowBytes);
        }
        out.flip();
        return manager.create(out, new Shape(to - from, columns), DataType.FLOAT32);
    }

    /** Labels {@code order[from..to)} as an int64 tensor, through the reused label buffer (no garbage per batch). */
    NDArray labels(NDManager manager, long[] order, int from, int to) {
        ByteBuffer out = labelBatch.clear();
        for (int i = from; i < to; i++) {
            out.putLong(labels[(int) order[i]]);
        }
        out.flip();
        return manager.create(out, new Shape(to - from), DataType.INT64);
    }
}
