package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import org.junit.jupiter.api.Test;

class StructuredDropoutTest {
    @Test
    void aloneItDropsWholeUnitsForTheWholeBatch() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            StructuredDropout layer = new StructuredDropout(0.5);
            layer.reseed(1);
            NDArray x = manager.ones(new Shape(64, 2000));
            float[] y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .head()
                    .toFloatArray();
            int keptUnits = 0;
            for (int unit = 0; unit < 2000; unit++) {
                float v = y[unit];
                assertTrue(v == 0f || v == 2f, "0 or 1/(1-p)");
                for (int row = 1; row < 64; row++) {
                    assertEquals(v, y[row * 2000 + unit], "same mask in every example of the batch");
                }
                keptUnits += v > 0 ? 1 : 0;
            }
            assertEquals(1000, keptUnits, 5 * Math.sqrt(2000 * 0.25));
            assertEquals(
                    x.toFloatArray()[0],
                    layer.forward(new ParameterStore(manager, false), new NDList(x), false)
                            .head()
                            .toFloatArray()[0],
                    "identity at inference");
        }
    }

    /** The fused block equals the dense MLP with a unit mask, in output and in the gradients of all weights. */
    @Test
    void fusedBlockEqualsDenseComputationWithUnitMask() {
        Mlp mlp = Mlp.builder()
                .inputs(20)
                .hidden(16, 0.5)
                .outputs(3)
                .dropoutKind(DropoutKind.STRUCTURED)
                .build();
        try (NDManager manager = Env.engine().newBaseManager()) {
            SequentialBlock block = mlp.block();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 20));
            StructuredMlpBlock fused =
                    (StructuredMlpBlock) block.getChildren().get(0).getValue();
            StructuredDropout dropout = (StructuredDropout) fused.getChildren().values().stream()
                    .filter(b -> b instanceof StructuredDropout)
                    .findFirst()
                    .orElseThrow();
            dropout.reseed(5);
            int[] kept = dropout.keptUnits(16);
            dropout.reseed(5);
            NDArray x = manager.randomNormal(new Shape(8, 20));
            ParameterStore ps = new ParameterStore(manager, false);
            var params = fused.getParameters().values(); // in order: linear0 weight, bias, linear1 weight, bias
            NDArray w1 = params.get(0).getArray();
            NDArray b1 = params.get(1).getArray();
            NDArray w2 = params.get(2).getArray();
            NDArray b2 = params.get(3).getArray();
            assertEquals(new Shape(16, 20), w1.getShape());
            assertEquals(new Shape(3, 16), w2.getShape());
            NDArray y;
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                y = block.forward(ps, new NDList(x), true).head();
                gc.backward(y.sum());
            }
            NDArray fusedGradW1 = w1.getGradient().duplicate();
            NDArray fusedGradW2 = w2.getGradient().duplicate();

            float[] m = new float[16];
            for (long k : kept) {
                m[(int) k] = 2f;
            }
            NDArray mask = manager.create(m);
            NDArray w1d = w1.duplicate();
            NDArray w2d = w2.duplicate();
            w1d.setRequiresGradient(true);
            w2d.setRequiresGradient(true);
            NDArray expected;
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                NDArray h = x.matMul(w1d.transpose())
                        .add(b1)
                        .getNDArrayInternal()
                        .relu()
                        .mul(mask);
                expected = h.matMul(w2d.transpose()).add(b2);
                gc.backward(expected.sum());
            }
            assertTrue(y.allClose(expected, 1e-4, 1e-5, false), "output");
            assertTrue(fusedGradW1.allClose(w1d.getGradient(), 1e-4, 1e-5, false), "grad of W1 (dropped rows 0)");
            assertTrue(fusedGradW2.allClose(w2d.getGradient(), 1e-4, 1e-5, false), "grad of W2 (dropped columns 0)");

            NDArray inference = block.forward(ps, new NDList(x), false).head();
            NDArray dense = x.matMul(w1.transpose())
                    .add(b1)
                    .getNDArrayInternal()
                    .relu()
                    .matMul(w2.transpose())
                    .add(b2);
            assertTrue(inference.allClose(dense, 1e-4, 1e-5, false), "all units at inference");
        }
    }

    @Test
    void needsAHiddenLayer() {
        Mlp linear = Mlp.builder().dropoutKind(DropoutKind.STRUCTURED).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, linear::block);
        assertTrue(e.getMessage().contains("needs a hidden layer"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rateHoldersAreFoundForSchedules() {
        Block block = Mlp.seedModel().withDropoutKind(DropoutKind.STRUCTURED).block();
        long holders = block.getChildren().values().stream()
                .flatMap(b -> b.getChildren().values().stream())
                .filter(b -> b instanceof DropoutLayer)
                .count();
        assertEquals(1, holders);
    }
}
