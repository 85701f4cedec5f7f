package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three weight-decay forms on a 1,000-image MNIST subset, one thread, same seed. */
class WeightDecayIT {
    private static ImageData mnist;
    private static int threads;

    @BeforeAll
    static void load() {
        mnist = ImageData.builder("mnist").trainSubset(1000).testSubset(500).build();
        threads = Env.threads();
        Env.threads(1);
    }

    @AfterAll
    static void close() {
        mnist.close();
        Env.threads(threads);
    }

    private static double norm(WeightDecay kind, double momentum) {
        return Training.of(Mlp.seedModel().withDropout(0))
                .sgd(0.1)
                .momentum(momentum)
                .weightDecay(0.01, kind)
                .epochs(2)
                .progress(false)
                .fit(mnist)
                .table()
                .doubleColumn("weight_norm")
                .get(1);
    }

    @Test
    void penaltyInTheLossEqualsDecayInTheGradient() {
        assertEquals(norm(WeightDecay.L2_GRADIENT, 0), norm(WeightDecay.L2_LOSS, 0), 1e-4);
        assertEquals(norm(WeightDecay.L2_GRADIENT, 0.9), norm(WeightDecay.L2_LOSS, 0.9), 1e-3);
    }

    @Test
    void decoupledDecayMatchesForPlainSgdButNotWithMomentum() {
        double none = Training.of(Mlp.seedModel().withDropout(0))
                .sgd(0.1)
                .epochs(2)
                .progress(false)
                .fit(mnist)
                .table()
                .doubleColumn("weight_norm")
                .get(1);
        double coupled = norm(WeightDecay.L2_GRADIENT, 0);
        double decoupled = norm(WeightDecay.DECOUPLED, 0);
        assertTrue(coupled < none, "decay shrinks the weights");
        // Plain SGD: the two differ only by an lr^2 * wd * grad term per step.
        assertEquals(coupled, decoupled, 0.002 * coupled);
        double coupledMomentum = norm(WeightDecay.L2_GRADIENT, 0.9);
        double decoupledMomentum = norm(WeightDecay.DECOUPLED, 0.9);
        // With momentum the coupled decay is amplified by the momentum buffer (about 1 / (1 - 0.9) times).
        assertTrue(
                coupledMomentum < decoupledMomentum - 0.01 * decoupledMomentum,
                coupledMomentum + " vs " + decoupledMomentum);
    }

    @Test
    void stopAtEndsTheRunAtTheTargetAndTimeToTargetIsRecorded() {
        History h = Training.of(Mlp.seedModel())
                .sgd(0.1)
                .epochs(30)
                .stopAt(0.8)
                .progress(false)
                .fit(mnist);
        int epochs = h.epochsToReach(0.8).orElseThrow();
        assertEquals(h.epochs(), epochs);
        assertTrue(h.epochs() < 30);
        assertEquals(h.totalSeconds(), h.secondsToReach(0.8).orElseThrow(), 1e-12);
        assertTrue(h.epochsToReach(1.0).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> h.epochsToReach(1.5));
        assertThrows(IllegalArgumentException.class, () -> Training.of(Mlp.seedModel())
                .stopAt(0));
    }

    @Test
    void dropoutScheduleIsFollowed() {
        History h = Training.of(Mlp.seedModel())
                .sgd(0.1)
                .epochs(3)
                .progress(false)
                .dropout(Schedule.linear(0, 0.5, 2))
                .fit(mnist);
        // Recorded at the end of each epoch: the rate of its last step.
        double[] rates = h.table().doubleColumn("dropout").asDoubleArray();
        assertTrue(rates[0] > 0.2 && rates[0] < 0.25, "ramp halfway: " + rates[0]);
        assertEquals(0.5, rates[2], 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Training.of(
                        Mlp.seedModel().withDropout(0))
                .dropout(Schedule.constant(0.5))
                .start(mnist));
    }
}
