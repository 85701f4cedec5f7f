package dev.dropkit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MlpTest {
    @Test
    void seedModelIsTheKerasExample() {
        Mlp seed = Mlp.seedModel();
        assertEquals("784-128(dropout 0.5)-10", seed.toString());
        assertEquals("784-128-10", seed.withDropout(0).toString());
        assertEquals(
                0.2,
                Mlp.builder()
                        .hidden(256, 0.1)
                        .hidden(64, 0.3)
                        .build()
                        .withDropout(0.2)
                        .hidden()
                        .get(1)
                        .dropout());
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.0, -0.1, 1.5, Double.NaN})
    void dropoutRateOutsideZeroOneIsRejected(double rate) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Mlp.seedModel().withDropout(rate));
        assertTrue(e.getMessage().contains("outside [0, 1)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertThrows(IllegalArgumentException.class, () -> Mlp.builder().hidden(128, rate));
    }

    @Test
    void blockHasTheDescribedLayers() {
        try (NDManager manager = Env.engine().newBaseManager()) {
            Block block = Mlp.seedModel().block();
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 784));
            assertEquals(
                    784L * 128 + 128 + 128L * 10 + 10,
                    block.getParameters().values().stream()
                            .mapToLong(p -> p.getArray().size())
                            .sum());
            assertEquals(
                    1,
                    block.getChildren().values().stream()
                            .filter(b -> b instanceof DropoutLayer)
                            .count());
            assertEquals(
                    0,
                    Mlp.seedModel().withDropout(0).block().getChildren().values().stream()
                            .filter(b -> b instanceof DropoutLayer)
                            .count());
        }
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> variantsAndRates() {
        return java.util.Arrays.stream(DropoutKind.values())
                .filter(k -> k.elementwise() && !k.learnsRate())
                .flatMap(kind -> java.util.stream.Stream.of(0.2, 0.5, 0.8)
                        .map(p -> org.junit.jupiter.params.provider.Arguments.of(kind, p)));
    }

    /** Inverted dropout: zero with probability p, survivors scaled by 1/(1-p), identity at inference. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("variantsAndRates")
    void dropoutSemantics(DropoutKind kind, double p) {
        Block dropout = Mlp.builder().hidden(1, p).dropoutKind(kind).build().block().getChildren().values().stream()
                .filter(b -> b instanceof DropoutLayer)
                .findFirst()
                .orElseThrow();
        try (NDManager manager = Env.engine().newBaseManager()) {
            ParameterStore ps = new ParameterStore(manager, false);
            NDArray x = manager.randomUniform(0.5f, 1.5f, new Shape(200, 500));
            NDArray upstream = manager.randomNormal(new Shape(200, 500));
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                y = dropout.forward(ps, new NDList(x), true).head();
                gc.backward(y.mul(upstream).sum());
            }
            NDArray kept = y.neq(0);
            double keptFraction = kept.toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .mean()
                    .getFloat();
            double n = 200 * 500;
            assertEquals(1 - p, keptFraction, 5 * Math.sqrt(p * (1 - p) / n), "kept fraction");
            float scale = (float) (1 / (1 - p));
            NDArray expected = x.mul(scale).mul(kept);
            assertTrue(y.allClose(expected, 1e-5, 1e-6, false), "survivors scaled by 1/(1-p)");
            NDArray expectedGrad = upstream.mul(kept).mul(scale);
            assertTrue(x.getGradient().allClose(expectedGrad, 1e-5, 1e-6, false), "grad = mask * upstream * scale");

            NDArray inference = dropout.forward(ps, new NDList(x), false).head();
            assertArrayEquals(x.toFloatArray(), inference.toFloatArray(), "identity at inference");
        }
    }

    @Test
    void rateCanChangeBetweenSteps() {
        DropoutLayer layer = DropoutKind.STANDARD.create(0.5);
        layer.setRate(0.1);
        assertEquals(0.1, layer.rate(), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> layer.setRate(1));
    }

    @Test
    void unknownVariantIsNamed() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DropoutKind.parse("gaussian-ish"));
        assertTrue(e.getMessage().contains("unknown dropout variant 'gaussian-ish'"), e.getMessage());
    }
}
