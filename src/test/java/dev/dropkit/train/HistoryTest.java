package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.model.Mlp;
import org.junit.jupiter.api.Test;

/** History's questions on a hand-filled history: validation for choices, test only when asked by name. */
class HistoryTest {
    /** Validation accuracy 0.80, 0.90, 0.85; test accuracy 0.70, 0.75, 0.95 (ranks the epochs differently). */
    static History history() {
        History h = new History("r");
        Training config = Training.of(Mlp.seedModel());
        double[] val = {0.80, 0.90, 0.85};
        double[] test = {0.70, 0.75, 0.95};
        double[] seconds = {3.0, 1.0, 2.0};
        for (int e = 0; e < 3; e++) {
            h.add(config, 0.5, 0.01, e + 1, 0.5, 0.99, 0.3, val[e], test[e], 10, seconds[e]);
        }
        return h;
    }

    @Test
    void choicesAreOnValidationAndTheMetricIsATypeWhenAnotherIsWanted() {
        History h = history();
        assertEquals(0.85, h.finalValAccuracy(), 1e-12);
        assertEquals(0.90, h.bestValAccuracy(), 1e-12);
        assertEquals(0.95, h.bestAccuracy(Metric.TEST), 1e-12);
        assertEquals(2, h.epochsToReach(0.9).orElseThrow(), "on validation");
        assertEquals(3, h.epochsToReach(Metric.TEST, 0.9).orElseThrow());
        assertEquals(4.0, h.secondsToReach(0.9).orElseThrow(), 1e-12, "cumulative training seconds");
        assertTrue(h.epochsToReach(0.95).isEmpty());
        assertEquals(0.99 - 0.85, h.finalGap(), 1e-12, "train minus validation");
        assertEquals(1.5, h.medianEpochSeconds(1), 1e-12);
        assertEquals(2.0, h.medianEpochSeconds(5), 1e-12, "the last epoch is always kept");
        assertTrue(h.hasValidation());
        assertThrows(IllegalArgumentException.class, () -> h.epochsToReach(1.5));
    }

    @Test
    void withoutAValidationSplitTheValidationFiguresAreNaN() {
        History h = new History("none");
        h.add(Training.of(Mlp.seedModel()), 0.5, 0.01, 1, 0.5, 0.9, Double.NaN, Double.NaN, 0.8, 10, 1);
        assertFalse(h.hasValidation());
        assertTrue(Double.isNaN(h.finalValAccuracy()));
        assertTrue(Double.isNaN(h.bestValAccuracy()));
        assertTrue(h.epochsToReach(0.5).isEmpty());
        assertEquals(0.8, h.finalTestAccuracy(), 1e-12);
    }
}
