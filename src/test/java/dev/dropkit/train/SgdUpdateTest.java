package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import dev.dropkit.Env;
import dev.dropkit.model.Mlp;
import org.junit.jupiter.api.Test;

/**
 * The updates {@link Training} makes, checked against the SGD formula computed by hand in Java: the loop's own fused
 * {@link SgdStep} (one device), and DJL's optimizer after the loop's gradient decay (several devices).
 */
class SgdUpdateTest {
    private static final float[] W = {0.5f, -1.0f, 2.0f, 0.0f};
    private static final float[] G1 = {0.1f, 0.2f, -0.3f, 0.4f};
    private static final float[] G2 = {-0.2f, 0.05f, 0.1f, 0.3f};

    @Test
    void plainSgdWithWeightDecay() {
        float lr = 0.1f;
        float wd = 0.01f;
        float[] w = W.clone();
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * (g[i] + wd * w[i]);
            }
        }
        Optimizer sgd = optimizer(Training.of(Mlp.seedModel()).sgd(lr).weightDecay(wd));
        assertArrayEquals(w, run(sgd, wd), 1e-6f);
        assertArrayEquals(w, fused(lr, 0, wd, true), 1e-6f);
        assertArrayEquals(W, fused(0, 0, wd, true), 0f, "a zero learning rate changes nothing");
    }

    @Test
    void momentumSgdWithWeightDecay() {
        float lr = 0.05f;
        float wd = 0.001f;
        float mu = 0.9f;
        float[] w = W.clone();
        float[] v = new float[w.length];
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < w.length; i++) {
                v[i] = mu * v[i] + lr * (g[i] + wd * w[i]);
                w[i] -= v[i];
            }
        }
        Optimizer sgd =
                optimizer(Training.of(Mlp.seedModel()).sgd(lr).momentum(mu).weightDecay(wd));
        assertArrayEquals(w, run(sgd, wd), 1e-6f);
        assertArrayEquals(w, fused(lr, mu, wd, true), 1e-6f);
    }

    @Test
    void fusedStepLeavesUndecayedParametersUndecayed() {
        float lr = 0.1f;
        float[] w = W.clone();
        for (float[] g : new float[][] {G1, G2}) {
            for (int i = 0; i < w.length; i++) {
                w[i] -= lr * g[i];
            }
        }
        assertArrayEquals(w, fused(lr, 0, 0.5f, false), 1e-6f);
    }

    /** Two steps of the loop's {@link SgdStep} on gradients G1, G2 made by a real backward pass. */
    private static float[] fused(float lr, float mu, float wd, boolean decays) {
        try (NDManager manager = Env.engine().newBaseManager()) {
            NDArray weight = manager.create(W.clone()).duplicate(); // engine memory, not a Java buffer
            weight.setRequiresGradient(true);
            try (SgdStep step = new SgdStep(java.util.List.of(weight), new boolean[] {decays}, mu, manager)) {
                for (float[] g : new float[][] {G1, G2}) {
                    boolean previous = Env.gradMode(true);
                    try {
                        Env.backward(weight.mul(manager.create(g).duplicate()).sum()); // gradient: g
                    } finally {
                        Env.gradMode(previous);
                    }
                    step.apply(lr, wd);
                }
            }
            return weight.toFloatArray();
        }
    }

    private static Optimizer optimizer(Training settings) {
        return TrainingRun.optimizer(settings, () -> settings.learningRate().at(0));
    }

    private static float[] run(Optimizer sgd, float wd) {
        try (NDManager manager = Env.engine().newBaseManager()) {
            NDArray weight = manager.create(W.clone());
            weight.setRequiresGradient(true);
            for (float[] g : new float[][] {G1, G2}) {
                NDArray gradient = manager.create(g);
                TrainingRun.decayGradient(gradient, weight, manager.create(wd), manager);
                sgd.update("w", weight, gradient);
            }
            return weight.toFloatArray();
        }
    }
}
