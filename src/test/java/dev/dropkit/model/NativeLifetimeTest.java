package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every dropout kind keeps what autograd needs alive between forward and backward, whatever the garbage collector
 * does in between. DJL turns {@code array.mul(2f)} into a tensor over a 4-byte Java direct buffer, uses it and
 * closes it; autograd still holds that tensor for the backward pass, but the buffer is now garbage, and once the
 * collector's cleaner frees it the backward pass reads freed memory (structured dropout's 1/(1-p) scale did this:
 * a rare garbage gradient that made a bench run end at chance accuracy). This test forces that collection between
 * forward and backward, overwrites freed native memory, and requires the very same gradients as without it.
 */
class NativeLifetimeTest {
    @ParameterizedTest
    @ValueSource(strings = {"standard", "fast", "structured", "structured-compact"})
    void gradientsDoNotDependOnWhenTheCollectorRuns(String kind) throws InterruptedException {
        float[][] calm = gradients(kind, false);
        float[][] stressed = gradients(kind, true);
        for (int i = 0; i < calm.length; i++) {
            for (float v : stressed[i]) {
                assertTrue(Float.isFinite(v), kind + ": gradient " + i + " has a non-finite value");
            }
            assertArrayEquals(calm[i], stressed[i], kind + ": gradient " + i + " changed by a collection");
        }
    }

    /**
     * The gradients of every parameter after one training step's forward and backward (seeded); for
     * "structured-compact", a compact step's: the gradients of its slices, then of the parameters it used whole.
     */
    private static float[][] gradients(String kind, boolean collectInBetween) throws InterruptedException {
        Mlp mlp = Mlp.builder()
                .inputs(30)
                .hidden(24, 0.5)
                .hidden(16, 0.5)
                .outputs(4)
                .dropoutKind(DropoutKind.parse(kind.replace("-compact", "")))
                .build();
        try (NDManager manager = Env.engine().newBaseManager()) {
            Env.engine().setRandomSeed(11);
            SequentialBlock block = mlp.block();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 30));
            NDArray x = manager.randomUniform(-1, 1, new Shape(8, 30));
            ParameterStore ps = new ParameterStore(manager, false);
            CompactSlicing compact = kind.endsWith("-compact")
                    ? (CompactSlicing) block.getChildren().values().get(0)
                    : null;
            List<float[]> grads = new ArrayList<>();
            try (NDManager step = manager.newSubManager()) {
                List<CompactSlice> slices = List.of();
                try (GradientCollector gc = Env.engine().newGradientCollector()) {
                    if (compact != null) {
                        compact.gatherNextStepInto(step);
                    }
                    NDArray y =
                            block.forward(ps, new NDList(x.duplicate()), true).head();
                    if (compact != null) {
                        slices = compact.takeSlices();
                    }
                    if (collectInBetween) {
                        collectAndReuseFreedMemory();
                    }
                    gc.backward(y.square().sum());
                }
                List<Parameter> sliced = new ArrayList<>();
                for (CompactSlice s : slices) {
                    grads.add(s.leaf().getGradient().toFloatArray());
                    sliced.add(s.parameter());
                }
                assertTrue(compact == null || !slices.isEmpty(), "a compact step made slices");
                for (var p : block.getParameters()) {
                    Parameter parameter = p.getValue();
                    if (!sliced.contains(parameter)) {
                        grads.add(parameter.getArray().getGradient().toFloatArray());
                    }
                }
            }
            return grads.toArray(new float[0][]);
        }
    }

    /**
     * Runs full collections until a fresh unreachable object is gone and the cleaner had time to free native
     * buffers, then allocates and fills small direct buffers so that freed chunks hold garbage.
     */
    private static void collectAndReuseFreedMemory() throws InterruptedException {
        WeakReference<Object> sentinel = new WeakReference<>(new Object());
        for (int i = 0; i < 20 && sentinel.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        Thread.sleep(100); // the cleaner thread frees direct buffers after the collection
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 4) * 4);
            while (b.hasRemaining()) {
                b.put((byte) 0x7f);
            }
            junk.add(b);
        }
        assertTrue(junk.size() > 0);
    }
}
