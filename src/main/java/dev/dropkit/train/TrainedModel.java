package dev.dropkit.train;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.dropkit.AtomicFiles;
import dev.dropkit.Env;
import dev.dropkit.data.DataException;
import dev.dropkit.data.FeatureScaling;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.BatchNormOrder;
import dev.dropkit.model.ConcreteDropout;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A trained model kept after its run: {@link #predict} classes from raw feature values, {@link #evaluate} it on a
 * data set, {@link #save} it to a folder and {@link #load} it back. Close it to free its native memory.
 *
 * <pre>{@code
 * try (TrainedModel model = Training.of(Mlp.seedModel()).epochs(5).train(mnist)) {
 *     model.save(Path.of("build/models/mnist"));
 *     Evaluation e = model.evaluate(mnist);
 * }
 * try (TrainedModel again = TrainedModel.load(Path.of("build/models/mnist"))) {
 *     Prediction p = again.predict(pixels);                  // raw values, scaled as in training
 * }
 * }</pre>
 *
 * <p>A saved model is a folder: the parameters in DJL's format ({@code model-0000.params}), the network's
 * description and class names ({@code dropkit-model.properties}) and the input scaling ({@code scaling.txt}).
 */
public final class TrainedModel implements AutoCloseable {
    static final String NAME = "model";
    static final String DESCRIPTION = "dropkit-model.properties";
    static final String SCALING = "scaling.txt";

    /** One prediction: the class (its number and name) and the probability of every class. */
    public record Prediction(int label, String className, float[] probabilities) {
        public float probability() {
            return probabilities[label];
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s (%.1f%%)", className, 100 * probability());
        }
    }

    private final Mlp mlp;
    private final Model model;
    private final FeatureScaling scaling;
    private final List<String> classNames;
    private final History history;

    private TrainedModel(Mlp mlp, Model model, FeatureScaling scaling, List<String> classNames, History history) {
        this.mlp = mlp;
        this.model = model;
        this.scaling = scaling;
        this.classNames = List.copyOf(classNames);
        this.history = history;
    }

    /**
     * A copy of the model of {@code run} as it is now (the run goes on and is closed on its own), with the scaling
     * and class names of the data it trains on.
     */
    public static TrainedModel of(TrainingRun run, ImageData data) {
        Mlp mlp = run.config().model();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            run.model().getBlock().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Model copy = fresh(mlp);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy.getBlock().loadParameters(copy.getNDManager(), in);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            copy.close();
            throw new IllegalStateException("cannot copy the trained parameters: " + e.getMessage(), e);
        }
        History h = run.history();
        return new TrainedModel(mlp, copy, data.scaling(), names(data, mlp), h);
    }

    private static List<String> names(ImageData data, Mlp mlp) {
        List<String> names = new ArrayList<>(data.classNames());
        for (int c = names.size(); c < mlp.outputs(); c++) {
            names.add(String.valueOf(c));
        }
        return names.subList(0, mlp.outputs());
    }

    /** A new DJL model of {@code mlp}'s layers, initialised (parameters to be loaded). */
    private static Model fresh(Mlp mlp) {
        Model m = Model.newInstance(NAME, ai.djl.Device.cpu(), Env.engine().getEngineName());
        try {
            Block block = mlp.block();
            m.setBlock(block);
            block.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, mlp.inputs()));
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Mlp mlp() {
        return mlp;
    }

    /** The per-epoch history of the run that trained it (empty for a loaded model). */
    public History history() {
        return history;
    }

    /** How raw feature values are scaled before they reach the network. */
    public FeatureScaling scaling() {
        return scaling;
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The DJL model, e.g. for a {@code Predictor} of one's own. */
    public Model djlModel() {
        return model;
    }

    /** The class of one example given as raw feature values (e.g. 784 pixels in 0–255). */
    public Prediction predict(float[] features) {
        return predict(new float[][] {features}).get(0);
    }

    /** The class of every row of raw feature values. */
    public List<Prediction> predict(float[][] rows) {
        float[] flat = new float[rows.length * mlp.inputs()];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != mlp.inputs()) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values but the model "
                        + mlp + " takes " + mlp.inputs() + ": give rows as wide as its training data");
            }
            System.arraycopy(scaling.apply(rows[i]), 0, flat, i * mlp.inputs(), mlp.inputs());
        }
        try (NDManager scratch = model.getNDManager().newSubManager()) {
            NDArray probabilities = logits(scratch.create(flat, new Shape(rows.length, mlp.inputs())))
                    .softmax(1);
            float[] p = probabilities.toFloatArray();
            int k = mlp.outputs();
            List<Prediction> out = new ArrayList<>(rows.length);
            for (int i = 0; i < rows.length; i++) {
                float[] row = Arrays.copyOfRange(p, i * k, (i + 1) * k);
                int best = 0;
                for (int c = 1; c < k; c++) {
                    if (row[c] > row[best]) {
                        best = c;
                    }
                }
                out.add(new Prediction(best, classNames.get(best), row));
            }
            return out;
        }
    }

    /** The network's outputs (inference mode: dropout off) for already-scaled inputs (N, inputs). */
    NDArray logits(NDArray scaled) {
        return model.getBlock()
                .forward(new ParameterStore(scaled.getManager(), false), new NDList(scaled), false)
                .head();
    }

    /**
     * Accuracy, loss, per-class accuracy and confusion matrix on the test part of {@code data}, which must have the
     * model's width and scaling (build it with {@code .scaling(model.scaling())}).
     */
    public Evaluation evaluate(ImageData data) {
        if (data.features() != mlp.inputs()) {
            throw new IllegalArgumentException("the model " + mlp + " takes " + mlp.inputs() + " features but "
                    + data.name() + " has " + data.features() + ": evaluate it on data like its training data");
        }
        if (!data.scaling().equals(scaling)) {
            throw new IllegalArgumentException(data.name() + " is scaled as " + data.scaling() + " but the model was "
                    + "trained on data scaled as " + scaling + ": build the data with .scaling(model.scaling())");
        }
        return Evaluation.of(this, data.name(), data.testX(), data.testY());
    }

    /**
     * Saves the model into {@code dir}, which must not exist or be empty: the files are written into a temporary
     * folder next to it and moved into place at the end, so an interrupted save leaves nothing half-written.
     */
    public Path save(Path dir) {
        Path target = dir.toAbsolutePath().normalize();
        try {
            if (Files.exists(target)) {
                if (!Files.isDirectory(target)) {
                    throw new IllegalArgumentException(dir + " is a file: give a new folder for the model");
                }
                try (Stream<Path> entries = Files.list(target)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException("model folder " + dir + " exists and is not empty: give a "
                                + "new folder (a saved model is never overwritten)");
                    }
                }
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".saving-");
            try {
                model.save(tmp, NAME);
                Files.writeString(tmp.resolve(SCALING), scaling.format());
                try (var out = Files.newBufferedWriter(tmp.resolve(DESCRIPTION), StandardCharsets.UTF_8)) {
                    description().store(out, "dropkit model: network description and class names");
                }
                Files.deleteIfExists(target); // an empty folder
                AtomicFiles.moveIntoPlace(tmp, target);
            } finally {
                AtomicFiles.deleteTree(tmp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + dir + ": " + e.getMessage(), e);
        }
    }

    private Properties description() {
        Properties p = new Properties();
        p.setProperty("format", "1");
        p.setProperty("inputs", String.valueOf(mlp.inputs()));
        p.setProperty("outputs", String.valueOf(mlp.outputs()));
        p.setProperty("dropoutKind", mlp.dropoutKind().label());
        mlp.batchNorm().ifPresent(order -> p.setProperty("batchNorm", order.label()));
        var c = mlp.concrete();
        p.setProperty("concrete", c.temperature() + "," + c.weightRegulariser() + "," + c.dropoutRegulariser());
        p.setProperty(
                "hidden",
                String.join(
                        ",",
                        mlp.hidden().stream()
                                .map(h -> h.units() + ":" + h.dropout())
                                .toList()));
        p.setProperty("classNames", String.join("\n", classNames));
        p.setProperty("run", history.run());
        return p;
    }

    /** Loads a model saved by {@link #save}; missing or damaged files get a one-line error. */
    public static TrainedModel load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new DataException("there is no model folder " + dir + ": give a folder written by save (or "
                    + "./run train --save-model)");
        }
        for (String file : List.of(DESCRIPTION, SCALING, NAME + "-0000.params")) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new DataException("model folder " + dir + " has no " + file + ": it is not a complete saved "
                        + "model; save the model again");
            }
        }
        Mlp mlp;
        FeatureScaling scaling;
        List<String> names;
        String run;
        try (var in = Files.newBufferedReader(dir.resolve(DESCRIPTION), StandardCharsets.UTF_8)) {
            Properties p = new Properties();
            p.load(in);
            Mlp.Builder b = Mlp.builder()
                    .inputs(Integer.parseInt(p.getProperty("inputs")))
                    .outputs(Integer.parseInt(p.getProperty("outputs")))
                    .dropoutKind(DropoutKind.parse(p.getProperty("dropoutKind")));
            String hidden = p.getProperty("hidden");
            for (String layer : hidden.isEmpty() ? new String[0] : hidden.split(",")) {
                String[] parts = layer.split(":");
                b.hidden(Integer.parseInt(parts[0]), Double.parseDouble(parts[1]));
            }
            mlp = b.build();
            if (p.getProperty("batchNorm") != null) {
                mlp = mlp.withBatchNorm(BatchNormOrder.parse(p.getProperty("batchNorm")));
            }
            if (p.getProperty("concrete") != null) {
                String[] c = p.getProperty("concrete").split(",");
                mlp = mlp.withConcrete(new ConcreteDropout.Settings(
                        Double.parseDouble(c[0]), Double.parseDouble(c[1]), Double.parseDouble(c[2])));
            }
            names = List.of(p.getProperty("classNames").split("\n", -1));
            run = p.getProperty("run", dir.getFileName().toString());
            if (names.size() != mlp.outputs()) {
                throw new IllegalArgumentException(names.size() + " class names for " + mlp.outputs() + " outputs");
            }
            scaling = FeatureScaling.parse(Files.readString(dir.resolve(SCALING)));
            if (!scaling.fits(mlp.inputs())) {
                throw new IllegalArgumentException("the scaling does not fit " + mlp.inputs() + " inputs");
            }
        } catch (IOException | RuntimeException e) {
            throw new DataException("model folder " + dir + " is damaged (" + DESCRIPTION + " or " + SCALING + ": "
                    + e.getMessage() + "): save the model again");
        }
        Model m = fresh(mlp);
        try {
            m.load(dir, NAME);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            m.close();
            throw new DataException("model folder " + dir + " is damaged (" + NAME + "-0000.params: "
                    + oneLine(e.getMessage()) + "): save the model again");
        }
        return new TrainedModel(mlp, m, scaling, names, new History(run));
    }

    private static String oneLine(String message) {
        return message == null ? "unreadable" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public void close() {
        model.close();
    }

    @Override
    public String toString() {
        return "trained " + mlp + " (classes " + classNames + ")";
    }
}
