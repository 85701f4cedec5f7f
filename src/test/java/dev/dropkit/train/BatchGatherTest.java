package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.dropkit.Env;
import org.junit.jupiter.api.Test;

class BatchGatherTest {
    /** The Java row copy gives exactly the rows the engine's advanced indexing gives. */
    @Test
    void batchesEqualTheEnginesGather() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            NDArray x = manager.randomUniform(0, 1, new Shape(50, 7));
            long[] labels = new long[50];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = 3L * i;
            }
            NDArray y = manager.create(labels);
            long[] order = {49, 3, 3, 0, 17, 25, 8, 41, 2, 30};
            BatchGather gather = BatchGather.of(x, y, 4, Device.cpu());
            assertNotNull(gather);
            for (int from = 0; from < order.length; from += 4) {
                int to = Math.min(order.length, from + 4);
                long[] rows = java.util.Arrays.copyOfRange(order, from, to);
                NDArray index = manager.create(rows);
                assertArrayEquals(
                        x.get(new NDIndex("{}", index)).toFloatArray(),
                        gather.features(manager, order, from, to, 0).toFloatArray());
                assertArrayEquals(
                        y.get(new NDIndex("{}", index)).toLongArray(),
                        gather.labels(manager, order, from, to, 0).toLongArray());
            }
            // Two shards of one batch gather into their own parts of the buffer, each tensor its own rows.
            NDArray first = gather.features(manager, order, 4, 6, 0);
            NDArray second = gather.features(manager, order, 6, 8, 2);
            NDArray secondLabels = gather.labels(manager, order, 6, 8, 2);
            NDArray firstLabels = gather.labels(manager, order, 4, 6, 0);
            long[][] shards = {{17, 25}, {8, 41}};
            assertArrayEquals(
                    x.get(new NDIndex("{}", manager.create(shards[0]))).toFloatArray(), first.toFloatArray());
            assertArrayEquals(
                    x.get(new NDIndex("{}", manager.create(shards[1]))).toFloatArray(), second.toFloatArray());
            assertArrayEquals(new long[] {51, 75}, firstLabels.toLongArray());
            assertArrayEquals(new long[] {24, 123}, secondLabels.toLongArray());
        }
    }
}
