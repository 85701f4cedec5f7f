package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import dev.dropkit.Env;
import dev.dropkit.model.Mlp;
import org.junit.jupiter.api.Test;

/**
 * The update {@link Training} makes (the loop's gradient decay, then the optimizer), checked against the SGD formula
 * computed by hand in Java.
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
