package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.dropkit.Env;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConcreteDropoutTest {
    private static final ConcreteDropout.Settings SETTINGS = new ConcreteDropout.Settings(0.1, 0.01, 0.02);

    /** The objective of the gradient check: a fixed linear read-out of the dropped activations plus the regulariser. */
    private static NDArray objective(
            NDArray logit, NDArray x, NDArray u, NDArray w, NDArray upstream, NDManager manager) {
        NDArray y = ConcreteDropout.drop(x, logit, u, SETTINGS.temperature());
        return y.mul(upstream)
                .sum()
                .add(ConcreteDropout.regulariser(logit, w, x.getShape().tail(), SETTINGS, manager));
    }

    /** d objective / d logit from the engine's autograd equals a central finite difference (float64, fixed noise). */
    @ParameterizedTest
    @ValueSource(doubles = {-2.0, -0.4, 0.0, 1.3})
    void gradientOfTheLogitMatchesFiniteDifferences(double logitValue) {
        try (NDManager manager = Env.engine().newBaseManager()) {
            Env.engine().setRandomSeed(11);
            Shape shape = new Shape(16, 12);
            NDArray x = manager.randomNormal(0f, 1f, shape, DataType.FLOAT64);
            NDArray u = manager.randomUniform(0f, 1f, shape, DataType.FLOAT64);
            NDArray upstream = manager.randomNormal(0f, 1f, shape, DataType.FLOAT64);
            NDArray w = manager.randomNormal(0f, 1f, new Shape(5, 12), DataType.FLOAT64);

            NDArray logit = manager.create(new double[] {logitValue});
            logit.setRequiresGradient(true);
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                gc.backward(objective(logit, x, u, w, upstream, manager));
            }
            double autograd = logit.getGradient().toDoubleArray()[0];

            double h = 1e-6;
            double plus = objective(manager.create(new double[] {logitValue + h}), x, u, w, upstream, manager)
                    .toDoubleArray()[0];
            double minus = objective(manager.create(new double[] {logitValue - h}), x, u, w, upstream, manager)
                    .toDoubleArray()[0];
            double numeric = (plus - minus) / (2 * h);
            assertTrue(Math.abs(numeric) > 1e-3, "the check is not vacuous: " + numeric);
            assertEquals(numeric, autograd, 1e-6 * Math.max(1, Math.abs(numeric)), "d loss / d logit");
        }
    }

    /** d objective / d logit in float32 for fixed inputs; {@code churn} runs between the forward and backward pass. */
    private static float logitGradient(NDManager manager, float[] uValues, float[] wValues, Runnable churn) {
        try (NDManager batch = manager.newSubManager()) {
            NDArray x = batch.ones(new Shape(4, 8));
            NDArray u = batch.create(uValues, new Shape(4, 8));
            NDArray w = batch.create(wValues, new Shape(3, 8));
            NDArray logit = batch.create(new float[] {-0.5f});
            logit.setRequiresGradient(true);
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                NDArray y = ConcreteDropout.drop(x, logit, u, 0.1)
                        .sum()
                        .add(ConcreteDropout.regulariser(logit, w, 8, SETTINGS, batch));
                churn.run();
                gc.backward(y);
            }
            return logit.getGradient().getFloat();
        }
    }

    /**
     * The gradient does not change when garbage is collected between the forward and the backward pass. Engine
     * constants made from Java numbers alias a Java buffer that is freed once collected; a product or quotient
     * by such a constant then reads freed memory in the backward pass (before the fix: wrong gradients in about a
     * quarter of these trials).
     */
    @Test
    void gradientSurvivesGarbageCollectionBetweenForwardAndBackward() {
        java.util.Random random = new java.util.Random(5);
        float[] u = new float[32];
        float[] w = new float[24];
        for (int i = 0; i < u.length; i++) {
            u[i] = random.nextFloat();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        Runnable churn = () -> {
            System.gc();
            for (int k = 0; k < 2000; k++) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
                b.putDouble(0, Double.NaN);
            }
        };
        try (NDManager manager = Env.engine().newBaseManager()) {
            float reference = logitGradient(manager, u, w, () -> {});
            assertTrue(Float.isFinite(reference) && reference != 0, "reference gradient " + reference);
            for (int trial = 0; trial < 30; trial++) {
                assertEquals(reference, logitGradient(manager, u, w, churn), "trial " + trial);
            }
        }
    }

    /** The regulariser is the paper's formula: wr * sum(W²) / (1-p) + dr * K * (p log p + (1-p) log(1-p)). */
    @Test
    void regulariserIsThePapersFormula() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            double p = 0.3;
            NDArray logit = manager.create(new double[] {Math.log(p / (1 - p))});
            NDArray w = manager.create(new double[] {1, -2, 3, 0.5}, new Shape(2, 2));
            double expected =
                    0.01 * (1 + 4 + 9 + 0.25) / (1 - p) + 0.02 * 7 * (p * Math.log(p) + (1 - p) * Math.log(1 - p));
            assertEquals(
                    expected,
                    ConcreteDropout.regulariser(logit, w, 7, SETTINGS, manager).getDouble(),
                    1e-12);
            assertEquals(
                    0.02 * 7 * (p * Math.log(p) + (1 - p) * Math.log(1 - p)),
                    ConcreteDropout.regulariser(logit, null, 7, SETTINGS, manager)
                            .getDouble(),
                    1e-12,
                    "without a weight only the entropy term");
            assertEquals(
                    0,
                    ConcreteDropout.regulariser(logit, w, 7, SETTINGS, manager)
                            .getShape()
                            .dimension(),
                    "a scalar, as a loss is");
        }
    }

    /**
     * An element is "mostly dropped" (mask below 1/2) exactly when logit + log u - log(1-u) > 0, which has
     * probability p at any temperature; at t = 0.1 the mask is nearly binary. Inference is the identity.
     */
    @Test
    void maskDropsAFractionPAndInferenceIsTheIdentity() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            double p = 0.3;
            ConcreteDropout layer = new ConcreteDropout(p, ConcreteDropout.Settings.PAPER_DEFAULTS);
            layer.reseed(3);
            layer.initialize(manager, DataType.FLOAT32, new Shape(1, 400));
            assertEquals(p, layer.rate(), 1e-6, "the logit starts at logit(p)");
            NDArray x = manager.ones(new Shape(250, 400));
            ParameterStore ps = new ParameterStore(manager, false);
            float[] y = layer.forward(ps, new NDList(x), true).head().toFloatArray();
            int dropped = 0;
            int nearlyBinary = 0;
            float full = (float) (1 / (1 - p));
            for (float v : y) {
                dropped += v < full / 2 ? 1 : 0;
                nearlyBinary += v < 0.05f * full || v > 0.95f * full ? 1 : 0;
            }
            int n = y.length;
            assertEquals(p, (double) dropped / n, 5 * Math.sqrt(p * (1 - p) / n), "fraction mostly dropped");
            assertTrue(nearlyBinary > 0.85 * n, "t = 0.1 gives a nearly binary mask: " + nearlyBinary + " of " + n);
            assertArrayEquals(
                    x.toFloatArray(),
                    layer.forward(ps, new NDList(x), false).head().toFloatArray(),
                    "identity at inference");
            assertEquals(0, layer.lossTerm().getShape().dimension(), "the loss term is a scalar");
        }
    }

    @Test
    void theSameSeedGivesTheSameMasks() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            ConcreteDropout a = new ConcreteDropout(0.5, ConcreteDropout.Settings.PAPER_DEFAULTS);
            ConcreteDropout b = new ConcreteDropout(0.5, ConcreteDropout.Settings.PAPER_DEFAULTS);
            a.initialize(manager, DataType.FLOAT32, new Shape(1, 101));
            b.initialize(manager, DataType.FLOAT32, new Shape(1, 101));
            NDArray x = manager.ones(new Shape(3, 101));
            ParameterStore ps = new ParameterStore(manager, false);
            a.reseed(9);
            b.reseed(9);
            float[] first = a.forward(ps, new NDList(x), true).head().toFloatArray();
            assertArrayEquals(first, b.forward(ps, new NDList(x), true).head().toFloatArray());
            b.reseed(10);
            assertFalse(java.util.Arrays.equals(
                    first, b.forward(ps, new NDList(x), true).head().toFloatArray()));
        }
    }

    @Test
    void badSettingsAreOneLineErrors() {
        for (double t : new double[] {0, -0.1, Double.NaN}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> ConcreteDropout.Settings.PAPER_DEFAULTS.withTemperature(t));
            assertTrue(
                    e.getMessage().startsWith("concrete dropout temperature " + t + " must be positive"),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        for (double rate : new double[] {0, 1, -0.2, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new ConcreteDropout(rate, ConcreteDropout.Settings.PAPER_DEFAULTS));
            assertTrue(e.getMessage().contains("initial rate " + rate + " is outside (0, 1)"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
        assertThrows(IllegalArgumentException.class, () -> ConcreteDropout.Settings.forTrainingSize(0));
        ConcreteDropout.Settings paper = ConcreteDropout.Settings.forTrainingSize(50_000);
        assertEquals(1e-8 / 50_000, paper.weightRegulariser(), 1e-20);
        assertEquals(2.0 / 50_000, paper.dropoutRegulariser(), 1e-15);
        assertEquals(0.1, paper.temperature());
        ConcreteDropout layer = new ConcreteDropout(0.5, paper);
        IllegalArgumentException set = assertThrows(IllegalArgumentException.class, () -> layer.setRate(0.2));
        assertTrue(set.getMessage().contains("learns its rate"), set.getMessage());
        IllegalStateException early = assertThrows(IllegalStateException.class, layer::lossTerm);
        assertTrue(early.getMessage().contains("after a forward pass in training mode"), early.getMessage());
    }

    /**
     * In an {@link Mlp} trained by DJL's Trainer the logit is a registered parameter: the trainer keeps its initial
     * value (logit of the model's rate) and SGD moves it along the gradient of loss + lossTerm(). With a dominant
     * entropy term (which pulls p towards 0.5) the rate rises from 0.2.
     */
    @Test
    void trainerInitialisesAndUpdatesTheLearnedRate() {
        Mlp mlp = Mlp.builder()
                .inputs(6)
                .hidden(16, 0.2)
                .outputs(3)
                .dropoutKind(DropoutKind.CONCRETE)
                .concrete(new ConcreteDropout.Settings(0.1, 1e-4, 0.5))
                .build();
        assertEquals("6-16(concrete dropout 0.2)-3", mlp.toString());
        try (Model model = Model.newInstance("concrete")) {
            model.setBlock(mlp.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.1f))
                            .build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 6));
                ConcreteDropout layer = (ConcreteDropout) model.getBlock().getChildren().values().stream()
                        .filter(b -> b instanceof ConcreteDropout)
                        .findFirst()
                        .orElseThrow();
                assertEquals(0.2, layer.rate(), 1e-6, "not re-initialised by the trainer");
                Parameter logit = layer.logit();
                assertTrue(model.getBlock().getParameters().values().contains(logit), "a parameter of the model");
                assertTrue(logit.requiresGradient());
                NDManager manager = model.getNDManager();
                NDArray x = manager.randomNormal(new Shape(32, 6));
                NDArray y = manager.randomInteger(0, 3, new Shape(32), DataType.INT32);
                double before = layer.rate();
                for (int step = 0; step < 5; step++) {
                    try (NDManager batch = manager.newSubManager();
                            GradientCollector gc = trainer.newGradientCollector()) {
                        x.tempAttach(batch);
                        NDArray loss = trainer.getLoss().evaluate(new NDList(y), trainer.forward(new NDList(x)));
                        gc.backward(loss.add(layer.lossTerm()));
                    }
                    trainer.step();
                }
                assertTrue(layer.rate() > before + 0.01, "rate rose from " + before + " to " + layer.rate());
                assertTrue(layer.rate() < 0.5, "towards 0.5, not past it: " + layer.rate());
            }
        }
    }

    @Test
    void kindsAreParsedAndDescribed() {
        assertEquals(DropoutKind.CONCRETE, DropoutKind.parse(" Concrete "));
        assertEquals(DropoutKind.FAST, DropoutKind.parse("FAST"));
        assertEquals("standard, fast, structured, concrete", DropoutKind.names());
        assertTrue(DropoutKind.CONCRETE.learnsRate());
        assertFalse(DropoutKind.STRUCTURED.elementwise());
        assertTrue(DropoutKind.CONCRETE.create(0.4) instanceof ConcreteDropout);
        for (DropoutKind kind : DropoutKind.values()) {
            assertEquals(kind.label(), kind.create(0.3).kind(), "a layer names its kind");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DropoutKind.parse("magic"));
        assertEquals(
                "unknown dropout variant 'magic': use one of standard, fast, structured, concrete", e.getMessage());
        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> Mlp.builder().dropoutKind(null).build());
        assertFalse(missing.getMessage().contains("\n"));
    }
}
