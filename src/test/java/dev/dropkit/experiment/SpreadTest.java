package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpreadTest {
    @Test
    void meanRangeAndStudentTInterval() {
        Spread s = Spread.of(1, 2, 3);
        assertEquals(2, s.mean(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(3, s.max());
        assertEquals(3, s.n());
        assertEquals(4.303 / Math.sqrt(3), s.halfWidth95(), 1e-9, "sd 1, t(0.975, 2 df) = 4.303");
        assertEquals(1, s.halfRange(), 1e-12);
    }

    @Test
    void missingValuesAreNotCountedAndOneValueHasNoInterval() {
        Spread one = Spread.of(Double.NaN, 0.5);
        assertEquals(1, one.n());
        assertTrue(Double.isNaN(one.halfWidth95()));
        assertEquals("50.0% (1 seed)", one.format(100, "%", 1));
        assertEquals(0, Spread.of(Double.NaN).n());
        assertEquals("97.50% (97.00–98.00%, 2 seeds)", Spread.of(0.97, 0.98).format(100, "%", 2));
    }
}
