package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.dropkit.Env;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.DropoutLayer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Dropout alone, forward + backward, on the seed model's hidden activations (batch 128 × 128 units, p = 0.5), per
 * variant ("none" multiplies by 1: the cost of any one elementwise op with its backward, the floor for a dropout op). Divide the
 * score (ns per operation) by {@link #ELEMENTS} for ns per element; {@code ./run bench --jmh} prints both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dai.djl.offline=true"})
public class DropoutJmh {
    public static final int ROWS = 128;
    public static final int UNITS = 128;
    public static final int ELEMENTS = ROWS * UNITS;

    @Param({"standard", "fast", "structured", "none"})
    public String kind;

    private NDManager manager;
    private NDArray x;
    private NDArray upstream;
    private DropoutLayer layer;
    private ParameterStore ps;

    @Setup(Level.Trial)
    public void setUp() {
        Env.threads(Env.DEFAULT_THREADS);
        manager = Env.engine().newBaseManager();
        x = manager.randomNormal(new Shape(ROWS, UNITS));
        x.setRequiresGradient(true);
        upstream = manager.randomNormal(new Shape(ROWS, UNITS));
        layer = kind.equals("none") ? null : DropoutKind.parse(kind).create(0.5);
        ps = new ParameterStore(manager, false);
    }

    @Benchmark
    public float forwardBackward() {
        try (NDManager step = manager.newSubManager();
                GradientCollector gc = Env.engine().newGradientCollector()) {
            // results join their first operand's manager: lend x to the step so every temporary is freed with it
            x.tempAttach(step);
            NDArray y = layer == null
                    ? x.mul(1f)
                    : layer.forward(ps, new NDList(x), true).head();
            gc.backward(y.mul(upstream).sum());
            return 0f;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }
}
