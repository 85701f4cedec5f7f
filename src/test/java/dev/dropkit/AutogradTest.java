package dev.dropkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The per-thread gradient path of {@link Env}: grad mode per thread, backward in the calling thread. */
class AutogradTest {
    @Test
    void backwardGivesTheGradientAndZeroGradientClearsIt() {
        try (NDManager m = Env.engine().newBaseManager()) {
            NDArray w = m.create(new float[] {1, -2, 3});
            w.setRequiresGradient(true);
            boolean previous = Env.gradMode(true);
            try {
                Env.backward(w.square().sum()); // d(sum w^2)/dw = 2w
                Env.backward(w.sum()); // adds 1
            } finally {
                Env.gradMode(previous);
            }
            assertArrayEquals(new float[] {3, -3, 7}, w.getGradient().toFloatArray(), 1e-6f);
            Env.zeroGradient(w);
            assertArrayEquals(new float[] {0, 0, 0}, w.getGradient().toFloatArray());
        }
    }

    @Test
    void gradModeIsPerThread() throws Exception {
        boolean previous = Env.gradMode(false);
        try {
            boolean other = CompletableFuture.supplyAsync(() -> {
                        boolean before = Env.gradMode(true);
                        Env.gradMode(before);
                        return before;
                    })
                    .get();
            assertTrue(other, "a new thread starts with PyTorch's default, recording on");
            assertFalse(Env.gradMode(false), "this thread's setting is unchanged by the other thread");
        } finally {
            Env.gradMode(previous);
        }
    }
}
