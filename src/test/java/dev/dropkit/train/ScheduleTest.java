package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    @Test
    void stepCosineLinear() {
        Schedule step = Schedule.step(0.1, 0.5, 3);
        assertEquals(0.1, step.at(2.9), 1e-12);
        assertEquals(0.05, step.at(3), 1e-12);
        assertEquals(0.025, step.at(6.5), 1e-12);
        Schedule cosine = Schedule.cosine(0.2, 0.0, 10);
        assertEquals(0.2, cosine.at(0), 1e-12);
        assertEquals(0.1, cosine.at(5), 1e-12);
        assertEquals(0.0, cosine.at(10), 1e-12);
        assertEquals(0.0, cosine.at(12), 1e-12);
        assertEquals(0.25, Schedule.linear(0, 0.5, 2).at(1), 1e-12);
        assertEquals(0.5, Schedule.linear(0, 0.5, 2).at(3), 1e-12);
    }

    @Test
    void warmupRampsLinearlyThenFollows() {
        Schedule s = Schedule.constant(0.4).withWarmup(2);
        assertEquals(0.2, s.at(1), 1e-3);
        assertEquals(0.4, s.at(2), 1e-12);
        assertEquals(0.4, s.at(5), 1e-12);
    }

    @Test
    void curriculumStartsAtZeroAndApproachesTheTarget() {
        Schedule c = Schedule.curriculum(0.5, 1);
        assertEquals(0, c.at(0), 1e-12);
        assertEquals(0.5 * (1 - Math.exp(-1)), c.at(1), 1e-12);
        assertEquals(0.5, c.at(30), 1e-9);
    }

    @Test
    void badParametersAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> Schedule.step(0.1, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(0.1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.curriculum(0.5, 0));
    }
}
