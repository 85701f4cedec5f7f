package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.dropkit.Env;
import java.util.SplittableRandom;

/**
 * Inverted dropout with a rate that can change while training (for keep-probability schedules): in training mode
 * each unit is zeroed with probability {@code rate} and survivors are scaled by {@code 1 / (1 - rate)}, so that
 * inference is the identity. Subclasses differ only in how they draw and apply the mask.
 *
 * <p>Randomness per run: the training loop calls {@link #reseed} with a seed derived from the run's seed. Variants
 * with their own generator override it; for a variant that uses the engine's operator (whose generator is global to
 * the JVM), this class reseeds the engine's generator from its own seeded sequence before every mask, under one
 * JVM-wide lock, so that runs training at the same time in several threads draw exactly the masks they would draw
 * alone. Masks are drawn one forward pass at a time (the layer is shared by a run's worker threads).
 */
public abstract class DropoutLayer extends AbstractBlock {
    private static final Object ENGINE_GENERATOR = dev.dropkit.Env.ENGINE_GENERATOR; // also held by initialisation
    private volatile double rate; // as given: a float would print 0.2 as 0.2000000298 in history tables
    private SplittableRandom engineSeeds; // null: the engine's generator as it stands

    protected DropoutLayer(double rate) {
        super((byte) 1);
        setRate(rate);
    }

    /** The variant's name: the {@link DropoutKind#label()} of its kind. */
    public abstract String kind();

    public double rate() {
        return rate;
    }

    /** Changes the drop probability from the next forward pass on. */
    public void setRate(double rate) {
        Mlp.checkRate(rate);
        this.rate = rate;
    }

    /**
     * Restarts this layer's mask sequence from {@code seed}. Variants that draw masks with their own generator
     * override this; the default seeds the sequence of engine-generator seeds described above.
     */
    public void reseed(long seed) {
        synchronized (this) {
            engineSeeds = new SplittableRandom(seed);
        }
    }

    /** Applies dropout at {@code rate} in (0, 1) to {@code x} in training mode. */
    protected abstract NDArray drop(NDArray x, float rate);

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        float p = (float) rate;
        if (!training || p <= 0) {
            return new NDList(x);
        }
        synchronized (this) {
            if (engineSeeds == null) {
                return new NDList(drop(x, p));
            }
            long seed = engineSeeds.nextLong();
            synchronized (ENGINE_GENERATOR) {
                Env.seedEngineGenerator(seed);
                return new NDList(drop(x, p));
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return kind() + " dropout(" + rate + ")";
    }
}
