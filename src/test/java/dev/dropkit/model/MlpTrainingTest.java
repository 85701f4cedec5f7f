package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.IdxFixtures;
import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Schedule;
import dev.dropkit.train.Training;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Batch-normalised and concrete-dropout models through the training loop, on small generated MNIST-format data. */
class MlpTrainingTest {
    @TempDir
    static Path tmp;

    private static ImageData data;

    @BeforeAll
    static void write() throws IOException {
        data = ImageData.fromFolder(IdxFixtures.write(tmp.resolve("set"), 600, 200))
                .build();
    }

    @AfterAll
    static void close() {
        data.close();
    }

    @ParameterizedTest
    @EnumSource(BatchNormOrder.class)
    void batchNormalisedModelsLearn(BatchNormOrder order) {
        Mlp model =
                Mlp.builder().hidden(32, 0.3).hidden(16, 0.3).batchNorm(order).build();
        History h = Training.of(model)
                .sgd(0.1)
                .batchSize(32)
                .epochs(3)
                .seed(1)
                .progress(false)
                .fit(data);
        assertTrue(h.finalTestAccuracy() > 0.9, model + ": test accuracy " + h.finalTestAccuracy());
    }

    @Test
    void concreteDropoutLearnsItsRateAndTheHistoryRecordsIt() {
        Mlp model = Mlp.builder()
                .hidden(32, 0.3)
                .dropoutKind(DropoutKind.CONCRETE)
                .concrete(ConcreteDropout.Settings.forTrainingSize(data.trainSize()))
                .build();
        History h = Training.of(model)
                .sgd(0.1)
                .batchSize(32)
                .epochs(3)
                .seed(1)
                .progress(false)
                .fit(data);
        assertTrue(h.finalTestAccuracy() > 0.9, "test accuracy " + h.finalTestAccuracy());
        var rates = h.table().doubleColumn("dropout");
        assertNotEquals(0.3, rates.get(0), 1e-6, "the first epoch's learned rate, not the initial one");
        assertNotEquals(rates.get(0), rates.get(2), 1e-9, "the rate keeps moving");
        assertTrue(rates.min() > 0 && rates.max() < 1);
        assertEquals(3, h.epochs());
    }

    @Test
    void aDropoutScheduleCannotSetALearnedRate() {
        Training t = Training.of(Mlp.builder()
                        .hidden(8, 0.3)
                        .dropoutKind(DropoutKind.CONCRETE)
                        .build())
                .dropout(Schedule.constant(0.2))
                .epochs(1)
                .progress(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(data));
        assertTrue(e.getMessage().contains("concrete dropout learns its rate"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void batchNormWithALastBatchOfOneIsRefusedBeforeTraining() {
        Mlp model = Mlp.seedModel().withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN);
        int batch = data.trainSize() - 1; // the last batch of each epoch holds one example
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.of(model)
                .batchSize(batch)
                .epochs(1)
                .progress(false)
                .fit(data));
        assertTrue(e.getMessage().contains("holds 1 example"), e.getMessage());
        IllegalArgumentException one = assertThrows(
                IllegalArgumentException.class,
                () -> Training.of(model).batchSize(1).epochs(1).progress(false).fit(data));
        assertTrue(one.getMessage().contains("at least 2 examples per training batch"), one.getMessage());
    }
}
