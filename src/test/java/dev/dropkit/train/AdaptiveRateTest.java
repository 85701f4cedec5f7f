package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.IdxFixtures;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

class AdaptiveRateTest {
    private static final double EPS = 1e-12;

    /** A synthetic history: the controller sees only the train and validation accuracy of each new row. */
    private static void epoch(History h, AdaptiveRate rate, double train, double validation) {
        h.add(
                Training.of(Mlp.seedModel()),
                rate.rate(),
                0.1,
                h.epochs() + 1,
                0.3,
                train,
                0.3,
                validation,
                Double.NaN,
                10,
                1.0);
        rate.epochFinished(h);
    }

    @Test
    void overFittingRaisesTheRateInProportionToTheExcessGap() {
        AdaptiveRate rate = AdaptiveRate.from(0.5).build(); // target gap 0.01, dead band 0.005, gain 5
        assertEquals(0.5 + 5 * (0.03 - 0.01 - 0.005), rate.observe(0.98, 0.95), EPS);
        AdaptiveRate twice = AdaptiveRate.from(0.5).build();
        assertEquals(0.5 + 5 * (0.05 - 0.01 - 0.005), twice.observe(0.98, 0.93), EPS, "twice the excess");
    }

    @Test
    void aGapWithinTheDeadBandLeavesTheRate() {
        AdaptiveRate rate = AdaptiveRate.from(0.4).build();
        assertEquals(0.4, rate.observe(0.962, 0.950), EPS);
        assertEquals(0.4, rate.observe(0.964, 0.951), EPS);
    }

    @Test
    void underFittingLowersTheRateButNotWhileValidationFalls() {
        AdaptiveRate rate = AdaptiveRate.from(0.5).build();
        double lowered = 0.5 - 5 * (0.01 - 0.005);
        assertEquals(lowered, rate.observe(0.90, 0.90), EPS, "no gap: regularise less");
        assertEquals(lowered, rate.observe(0.89, 0.895), EPS, "validation fell: hold");
        assertEquals(lowered - 5 * (0.01 - 0.005), rate.observe(0.91, 0.91), EPS, "validation rose again: lower");
    }

    @Test
    void theRateStaysWithinItsBounds() {
        AdaptiveRate rate = AdaptiveRate.from(0.3).bounds(0.2, 0.35).build();
        assertEquals(0.35, rate.observe(1.0, 0.80), EPS);
        AdaptiveRate low = AdaptiveRate.from(0.3).bounds(0.2, 0.35).gain(100).build();
        assertEquals(0.2, low.observe(0.8, 0.8), EPS);
    }

    /** Driven through History as the loop drives it; the rate is what a Schedule returns at any position. */
    @Test
    void readsEachEpochFromTheHistory() {
        AdaptiveRate rate = (AdaptiveRate) Schedule.adaptive(0.5, 0.1, 0.8);
        History h = new History("adaptive");
        epoch(h, rate, 0.90, 0.90); // under-fits: -0.025
        assertEquals(0.475, rate.at(1.0), EPS);
        epoch(h, rate, 0.95, 0.94); // gap at the target
        assertEquals(0.475, rate.at(1.5), EPS);
        epoch(h, rate, 0.99, 0.95); // over-fits: +5 * 0.025
        assertEquals(0.6, rate.at(2.0), EPS);
        assertEquals(0.5, h.table().doubleColumn("dropout").get(0), EPS, "the history records the rate used");
        assertEquals(0.475, h.table().doubleColumn("dropout").get(2), EPS);
    }

    @Test
    void eachRunStartsFromTheInitialRate() {
        AdaptiveRate shared = AdaptiveRate.from(0.5).bounds(0.1, 0.8).gain(2).build();
        shared.observe(0.99, 0.90);
        AdaptiveRate fresh = shared.forRun(1000);
        assertEquals(0.5, fresh.rate(), EPS);
        assertEquals(0.5 + 2 * (0.09 - 0.015), fresh.observe(0.99, 0.90), EPS, "same settings");
    }

    @Test
    void withoutAValidationSetItSaysHowToGetOne() {
        AdaptiveRate rate = AdaptiveRate.from(0.5).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rate.forRun(0));
        assertTrue(e.getMessage().contains("validation fraction"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> rate.observe(0.9, Double.NaN));
        assertEquals(e.getMessage(), late.getMessage());
    }

    @Test
    void badSettingsAreOneLineErrors() {
        for (double[] bounds : new double[][] {{-0.1, 0.5}, {0.1, 1.0}, {0.2, Double.NaN}}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> AdaptiveRate.from(0.3).bounds(bounds[0], bounds[1]));
            assertTrue(e.getMessage().contains("must lie in [0, 1)"), e.getMessage());
        }
        IllegalArgumentException swapped = assertThrows(
                IllegalArgumentException.class, () -> AdaptiveRate.from(0.3).bounds(0.6, 0.2));
        assertEquals(
                "lower dropout-rate bound 0.6 is above the upper bound 0.2: swap them, e.g. bounds(0.2, 0.6)",
                swapped.getMessage());
        IllegalArgumentException outside = assertThrows(
                IllegalArgumentException.class, () -> AdaptiveRate.from(0.9).build());
        assertTrue(outside.getMessage().contains("outside the bounds [0.0, 0.8]"), outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdaptiveRate.from(1.0));
        assertThrows(
                IllegalArgumentException.class, () -> AdaptiveRate.from(0.5).gain(0));
        assertThrows(
                IllegalArgumentException.class, () -> AdaptiveRate.from(0.5).deadBand(-0.01));
        assertThrows(
                IllegalArgumentException.class, () -> AdaptiveRate.from(0.5).targetGap(1));
    }

    @Test
    void aLoopThatDoesNotReportEpochsIsAnErrorNotAConstantRate() {
        AdaptiveRate rate = AdaptiveRate.from(0.5).build();
        assertEquals(0.5, rate.at(0), EPS);
        assertEquals(0.5, rate.at(0.99), EPS);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> rate.at(1.0));
        assertTrue(e.getMessage().contains("must call epochFinished"), e.getMessage());
        rate.observe(0.9, 0.9);
        rate.at(1.5);
    }

    /** Through the training loop: each epoch's rate is the rule applied to the previous epoch's row. */
    @Test
    void theLoopFeedsItEveryEpochAndRecordsTheRateUsed(@TempDir Path tmp) throws Exception {
        try (ImageData data = ImageData.fromFolder(IdxFixtures.write(tmp.resolve("set"), 600, 200))
                .validation(0.2)
                .build()) {
            AdaptiveRate adaptive =
                    AdaptiveRate.from(0.5).bounds(0.1, 0.8).gain(3).build();
            History h = Training.of(Mlp.builder().hidden(32, 0.5).build())
                    .dropout(adaptive)
                    .sgd(0.1)
                    .batchSize(32)
                    .epochs(4)
                    .seed(1)
                    .progress(false)
                    .fit(data);
            Table t = h.table();
            AdaptiveRate replay = adaptive.forRun(1);
            assertEquals(0.5, t.doubleColumn("dropout").get(0), EPS);
            for (int e = 0; e + 1 < t.rowCount(); e++) {
                double next = replay.observe(
                        t.doubleColumn(History.TRAIN_ACCURACY).get(e),
                        t.doubleColumn(History.VAL_ACCURACY).get(e));
                assertEquals(next, t.doubleColumn("dropout").get(e + 1), 1e-9, "epoch " + (e + 2));
            }
            assertEquals(
                    0.5, adaptive.rate(), EPS, "the configuration's own instance is untouched: runs get their own");
            assertTrue(t.doubleColumn("dropout").countUnique() > 1, "the rate moved: " + t.doubleColumn("dropout"));

            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Training.of(
                            Mlp.seedModel())
                    .dropout(adaptive)
                    .epochs(1)
                    .progress(false)
                    .fit(ImageData.fromFolder(tmp.resolve("set")).validation(0).build()));
            assertTrue(none.getMessage().contains("validation fraction"), none.getMessage());
        }
    }
}
