package dev.dropkit.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class EpochBenchTest {
    /** A contestant with scripted epoch times that records when it ran. */
    static final class Scripted implements EpochBench.Contestant {
        final String name;
        final double[] seconds;
        final List<String> log;
        int epoch;

        Scripted(String name, List<String> log, double... seconds) {
            this.name = name;
            this.log = log;
            this.seconds = seconds;
        }

        @Override
        public double epoch() {
            log.add(name);
            return seconds[epoch++];
        }

        @Override
        public double testAccuracy() {
            return 0.9;
        }
    }

    @Test
    void configurationsTakeTurnsAndWarmupIsNotTimed() {
        List<String> log = new ArrayList<>();
        EpochBench bench = EpochBench.on(null)
                .warmup(1)
                .timed(3)
                .progress(false)
                .add("a", () -> new Scripted("a", log, 9, 1, 3, 2))
                .add("b", () -> new Scripted("b", log, 9, 2, 2, 8))
                .run();
        assertEquals(List.of("a", "b", "a", "b", "a", "b", "a", "b"), log);
        Table summary = EpochBench.withRatio(bench.summary(), "ratio_to_a", "a");
        assertEquals(
                List.of(2.0, 2.0), summary.doubleColumn("median_s_per_epoch").asList());
        assertEquals(List.of(1.0, 2.0), summary.doubleColumn("min_s").asList());
        assertEquals(List.of(3.0, 8.0), summary.doubleColumn("max_s").asList());
        assertEquals(List.of(1.0, 1.0), summary.doubleColumn("ratio_to_a").asList());
        assertEquals(6, bench.epochs().rowCount());
    }

    @Test
    void badSettingsAreOneLineErrors() {
        assertThrows(IllegalArgumentException.class, () -> EpochBench.on(null).timed(0));
        assertThrows(IllegalArgumentException.class, () -> EpochBench.on(null).warmup(-1));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> EpochBench.on(null).run());
        assertTrue(e.getMessage().contains("no configuration"), e.getMessage());
        EpochBench twice = EpochBench.on(null).add("x", () -> null);
        assertThrows(IllegalArgumentException.class, () -> twice.add("x", () -> null));
    }
}
