package dev.dropkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dropkit.data.DataException;
import dev.dropkit.data.DataSets;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Generated data: 5 features, 3 named classes, each class shifted along its own feature. */
class TrainedModelTest {
    @TempDir
    Path tmp;

    private static float[][] x;
    private static ImageData data;
    private static TrainedModel model;

    @BeforeAll
    static void train() {
        Random r = new Random(7);
        x = new float[300][5];
        int[] y = new int[300];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 5; j++) {
                x[i][j] = (float) (10 + r.nextGaussian() + (j == y[i] ? 4 : 0));
            }
        }
        data = DataSets.fromArrays(x, y).testFraction(0.3).build();
        Mlp mlp = Mlp.builder()
                .inputs(data.features())
                .hidden(16, 0.2)
                .outputs(data.classes())
                .build();
        model = Training.of(mlp)
                .sgd(0.1)
                .batchSize(16)
                .epochs(15)
                .progress(false)
                .train(data);
    }

    @AfterAll
    static void close() {
        model.close();
        data.close();
    }

    @Test
    void keepsTheHistoryAndLearns() {
        assertEquals(15, model.history().epochs());
        Evaluation e = model.evaluate(data);
        assertEquals(
                model.history().finalTestAccuracy(), e.accuracy(), 0.0, "evaluate repeats the run's test accuracy");
        assertTrue(e.accuracy() > 0.9, e.toString());
        assertEquals(90, e.examples());
        assertTrue(e.loss() > 0 && e.loss() < 1, "loss " + e.loss());
        Table cm = e.confusionMatrix();
        assertEquals(List.of("true class", "0", "1", "2"), cm.columnNames());
        long total = 0;
        for (int c = 1; c < 4; c++) {
            total += (long) cm.intColumn(c).sum();
        }
        assertEquals(90, total);
        assertEquals(3, e.perClass().rowCount());
        assertTrue(e.confusionChart().image().getWidth() > 0);
    }

    @Test
    void predictsFromRawValues() {
        TrainedModel.Prediction p = model.predict(x[1]);
        assertEquals(3, p.probabilities().length);
        float sum = 0;
        for (float v : p.probabilities()) {
            sum += v;
        }
        assertEquals(1, sum, 1e-5);
        assertEquals(1, p.label(), "an easy example of class 1");
        List<TrainedModel.Prediction> batch = model.predict(new float[][] {x[0], x[1], x[2]});
        assertEquals(
                List.of(0, 1, 2),
                batch.stream().map(TrainedModel.Prediction::label).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[4]));
        assertTrue(e.getMessage().contains("has 4 values but the model"), e.getMessage());
    }

    @Test
    void saveAndLoadGiveTheSameModel() throws IOException {
        Path dir = model.save(tmp.resolve("m"));
        try (TrainedModel again = TrainedModel.load(dir)) {
            assertEquals(model.mlp().toString(), again.mlp().toString());
            assertEquals(model.classNames(), again.classNames());
            assertEquals(model.scaling(), again.scaling());
            assertEquals(model.evaluate(data).accuracy(), again.evaluate(data).accuracy(), 0.0);
            assertArrayEquals(
                    model.predict(x[5]).probabilities(), again.predict(x[5]).probabilities(), 0f);
        }
        try (var files = Files.list(tmp)) {
            assertEquals(
                    List.of("m"), files.map(p -> p.getFileName().toString()).toList(), "no temporary left");
        }
    }

    @Test
    void refusesANonEmptyFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(dir.resolve("keep.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.save(dir));
        assertTrue(e.getMessage().contains("exists and is not empty"), e.getMessage());
        assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
        model.save(Files.createDirectories(tmp.resolve("empty")));
        assertTrue(Files.exists(tmp.resolve("empty").resolve(TrainedModel.DESCRIPTION)));
    }

    @Test
    void missingOrDamagedFilesGetOneLineErrors() throws IOException {
        DataException none = assertThrows(DataException.class, () -> TrainedModel.load(tmp.resolve("nothing")));
        assertTrue(none.getMessage().contains("no model folder"), none.getMessage());
        Path dir = model.save(tmp.resolve("d"));
        Files.delete(dir.resolve(TrainedModel.SCALING));
        DataException missing = assertThrows(DataException.class, () -> TrainedModel.load(dir));
        assertTrue(missing.getMessage().contains("has no scaling.txt"), missing.getMessage());
        Path dir2 = model.save(tmp.resolve("e"));
        Path params = dir2.resolve(TrainedModel.NAME + "-0000.params");
        byte[] bytes = Files.readAllBytes(params);
        Files.write(params, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DataException damaged = assertThrows(DataException.class, () -> TrainedModel.load(dir2));
        assertTrue(
                damaged.getMessage().contains("is damaged")
                        && !damaged.getMessage().contains("\n"),
                damaged.getMessage());
        Path dir3 = model.save(tmp.resolve("f"));
        Files.writeString(dir3.resolve(TrainedModel.DESCRIPTION), "inputs=abc\n");
        DataException description = assertThrows(DataException.class, () -> TrainedModel.load(dir3));
        assertTrue(description.getMessage().contains("is damaged"), description.getMessage());
    }

    @Test
    void dataOfAnotherWidthOrScalingIsRefused() {
        int[] y = {0, 1, 0, 1};
        try (ImageData narrow = DataSets.fromArrays(new float[][] {{1, 2}, {2, 1}, {1, 3}, {3, 1}}, y)
                .validation(0)
                .build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.evaluate(narrow));
            assertTrue(e.getMessage().contains("takes 5 features but"), e.getMessage());
        }
        try (ImageData other =
                DataSets.fromArrays(x, new int[x.length]).testFraction(1).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.evaluate(other));
            assertTrue(e.getMessage().contains("scaling(model.scaling())"), e.getMessage());
        }
        try (ImageData same = DataSets.fromArrays(x, labels())
                .scaling(model.scaling())
                .testFraction(1)
                .build()) {
            assertEquals(300, model.evaluate(same).examples());
            assertFalse(Double.isNaN(model.evaluate(same).accuracy()));
        }
    }

    private static int[] labels() {
        int[] y = new int[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 3;
        }
        return y;
    }
}
