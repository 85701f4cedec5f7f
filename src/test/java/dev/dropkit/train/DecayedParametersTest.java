package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.dropkit.Env;
import dev.dropkit.data.GeneratedSet;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Weight decay acts on trained weights only: not on concrete dropout's rate logit (decay would pull the learned rate
 * to 0.5) nor on batch norm's running mean and variance (statistics, not weights), in all three forms.
 */
class DecayedParametersTest {
    @RegisterExtension
    static final GeneratedSet SET = new GeneratedSet(300, 100, 0.2);

    private static ImageData data() {
        return SET.data();
    }

    /** 784 → 128 → BN → ReLU → concrete dropout → 10: a logit, running statistics and weights. */
    private static Training training(double wd, WeightDecay kind) {
        Mlp model = Mlp.seedModel()
                .withDropout(0.2)
                .withDropoutKind(DropoutKind.CONCRETE)
                .withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN); // logit log(0.2/0.8), not 0
        return Training.of(model)
                .sgd(0.1)
                .batchSize(32)
                .epochs(1)
                .seed(5)
                .progress(false)
                .weightDecay(wd, kind);
    }

    private static boolean isStatistic(Parameter p) {
        return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
    }

    @Test
    void decayActsOnWeightsNotOnTheLogitNorOnRunningStatistics() {
        try (TrainingRun run = training(0.1, WeightDecay.DECOUPLED).start(data())) {
            List<Parameter> decayed = run.decayedParameters();
            assertTrue(run.parameters().stream().anyMatch(p -> p.getType() == Parameter.Type.OTHER), "has a logit");
            assertEquals(
                    2,
                    run.parameters().stream()
                            .filter(DecayedParametersTest::isStatistic)
                            .count());
            for (Parameter p : run.parameters()) {
                boolean expected = p.getType() != Parameter.Type.OTHER && !isStatistic(p);
                assertEquals(expected, decayed.contains(p), p.getName() + " (" + p.getType() + ")");
            }
            assertEquals(
                    2,
                    decayed.stream()
                            .filter(p -> p.getType() == Parameter.Type.WEIGHT)
                            .count());
        }
    }

    @Test
    void decoupledDecayShrinksWeightsButLeavesRunningStatisticsAndTheLogit() {
        try (TrainingRun run = training(0.5, WeightDecay.DECOUPLED).start(data())) {
            run.train(1); // running statistics move away from their initial 0 and 1
            List<float[]> before = new ArrayList<>();
            run.parameters().forEach(p -> before.add(p.getArray().toFloatArray()));
            run.decoupledDecay(0.1); // shrink 1 - 0.1 * 0.5 = 0.95
            for (int i = 0; i < before.size(); i++) {
                Parameter p = run.parameters().get(i);
                float[] after = p.getArray().toFloatArray();
                double factor = run.decayedParameters().contains(p) ? 0.95 : 1;
                boolean nonZero = false;
                for (int j = 0; j < after.length; j++) {
                    assertEquals(
                            factor * before.get(i)[j],
                            after[j],
                            1e-6 * (1 + Math.abs(before.get(i)[j])),
                            p.getName() + "[" + j + "]");
                    nonZero |= before.get(i)[j] != 0;
                }
                if (isStatistic(p) || p.getType() == Parameter.Type.OTHER) {
                    assertTrue(nonZero, p.getName() + " holds values, so leaving it alone is a real check");
                }
            }
        }
    }

    @Test
    void gradientDecayAndTheL2PenaltyLeaveTheLogitGradientAlone() {
        for (WeightDecay kind : new WeightDecay[] {WeightDecay.L2_GRADIENT, WeightDecay.L2_LOSS}) {
            try (NDManager manager = Env.engine().newBaseManager();
                    TrainingRun plain = training(0, kind).start(data());
                    TrainingRun decayed = training(0.5, kind).start(data())) {
                manager.getEngine().setRandomSeed(3);
                NDArray x = manager.randomUniform(0, 1, new Shape(16, 784));
                NDArray y = manager.randomInteger(0, 10, new Shape(16), DataType.INT64);
                float[] g0 = plain.gradients(x, y, 1);
                float[] g1 = decayed.gradients(x, y, 1);
                int offset = 0;
                boolean weightSeen = false;
                for (Parameter p : decayed.trained()) {
                    float[] w = p.getArray().toFloatArray();
                    boolean decays = decayed.decayedParameters().contains(p);
                    for (int j = 0; j < w.length; j++) {
                        double expected = g0[offset + j] + (decays ? 0.5 * w[j] : 0);
                        assertEquals(
                                expected,
                                g1[offset + j],
                                1e-4 * (1 + Math.abs(expected)),
                                kind + ": " + p.getName() + "[" + j + "]");
                    }
                    if (p.getType() == Parameter.Type.OTHER) {
                        assertFalse(decays);
                        assertTrue(w[0] != 0, "the logit is not 0, so a decay term would show");
                    }
                    weightSeen |= decays && p.getType() == Parameter.Type.WEIGHT;
                    offset += w.length;
                }
                assertEquals(g0.length, offset);
                assertTrue(weightSeen);
            }
        }
    }
}
