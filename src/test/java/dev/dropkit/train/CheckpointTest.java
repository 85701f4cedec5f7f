package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.GeneratedSet;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A run resumed from a checkpoint (serialised, as it travels to a Spark executor) trains exactly as the run it was
 * taken of: same losses, accuracies and weight norms to the last bit, for every dropout kind, with momentum, weight
 * decay and batch norm.
 */
class CheckpointTest {
    @RegisterExtension
    static final GeneratedSet SET = new GeneratedSet(600, 200, 0.2);

    private static ImageData data() {
        return SET.data();
    }

    private static Training training(DropoutKind kind) {
        Mlp model = Mlp.seedModel().withDropoutKind(kind);
        if (kind != DropoutKind.STRUCTURED) { // its fused block has no batch norm
            model = model.withBatchNorm(BatchNormOrder.DROPOUT_AFTER_BN);
        }
        return Training.of(model)
                .sgd(Schedule.cosine(0.1, 0.01, 4))
                .momentum(0.9)
                .weightDecay(1e-3)
                .batchSize(32)
                .seed(5)
                .label(kind.label())
                .progress(false);
    }

    @ParameterizedTest
    @EnumSource(DropoutKind.class)
    void aResumedRunTrainsAsTheUninterruptedOne(DropoutKind kind) throws Exception {
        History straight;
        try (TrainingRun run = training(kind).start(data())) {
            straight = run.train(4);
        }
        Checkpoint c;
        try (TrainingRun run = training(kind).start(data())) {
            run.train(2);
            c = travel(run.checkpoint());
        }
        assertEquals(2, c.epochs());
        History resumed;
        try (TrainingRun run = training(kind).resume(data(), c)) {
            resumed = run.train(2);
        }
        assertEquals(4, resumed.epochs());
        for (String column : new String[] {
            History.TRAIN_LOSS, History.VAL_ACCURACY, History.VAL_LOSS, History.TEST_ACCURACY, History.WEIGHT_NORM
        }) {
            for (int e = 0; e < 4; e++) {
                assertEquals(
                        straight.table().doubleColumn(column).get(e),
                        resumed.table().doubleColumn(column).get(e),
                        0.0,
                        kind + " " + column + " in epoch " + (e + 1));
            }
        }
        assertTrue(resumed.finalValAccuracy() > 0.5, "it learned: " + resumed.finalValAccuracy());
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedInOneLine() {
        Checkpoint c;
        try (TrainingRun run = training(DropoutKind.STANDARD).start(data())) {
            run.train(1);
            c = run.checkpoint();
        }
        Training other = Training.of(Mlp.builder().hidden(64, 0.5).build()).progress(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.resume(data(), c));
        assertTrue(e.getMessage().contains("resume with the Training the checkpoint was taken of"), e.getMessage());
    }

    private static Checkpoint travel(Checkpoint c) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Checkpoint) in.readObject();
        }
    }
}
