package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunModeTest {
    @Test
    void parsesTheTwoModes() {
        assertEquals(RunMode.FULL, RunMode.parse(null));
        assertEquals(RunMode.FULL, RunMode.parse(" Full "));
        assertEquals(RunMode.QUICK, RunMode.parse("quick"));
        assertEquals(2, RunMode.QUICK.epochs(10));
        assertEquals(1, RunMode.QUICK.epochs(1));
        assertEquals(10, RunMode.FULL.epochs(10));
    }

    @Test
    void unknownModeIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> RunMode.parse("fast"));
        assertTrue(e.getMessage().contains("DROPKIT_MODE='fast'"), e.getMessage());
    }

    @Test
    void targetDependsOnTheModeAndIsChecked() {
        assertEquals(0.97, RunMode.FULL.target(0.97, 0.9));
        assertEquals(0.9, RunMode.QUICK.target(0.97, 0.9));
        var e = assertThrows(IllegalArgumentException.class, () -> RunMode.FULL.target(97, 0.9));
        assertTrue(e.getMessage().contains("(0, 1]"), e.getMessage());
    }

    @Test
    void seedsAndTheOneWarmUpRule() {
        assertEquals(3, RunMode.FULL.seeds());
        assertEquals(2, RunMode.QUICK.seeds());
        assertEquals(2, RunMode.FULL.warmupEpochs());
        assertEquals(1, RunMode.QUICK.warmupEpochs());
    }
}
