package dev.dropkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import java.util.SplittableRandom;

/**
 * Concrete dropout (Gal, Hron and Kendall, NeurIPS 2017): dropout whose rate is learned by gradient descent. The
 * drop probability is {@code p = sigmoid(logit)}, where {@code logit} is a trained {@link Parameter} of this block
 * (so the trainer's optimizer updates it like a weight). In training each element gets a relaxed Bernoulli mask
 * with temperature {@code t}:
 *
 * <pre>
 *   u ~ Uniform(0, 1)                                      one draw per element
 *   z = 1 - sigmoid((log p - log(1-p) + log u - log(1-u)) / t)
 *   y = x * z / (1 - p)
 * </pre>
 *
 * ({@code log p - log(1-p)} is the logit itself and is used as such; {@code u} is kept away from 0 and 1 by 1e-7
 * as in the authors' code.) As {@code t → 0} the mask becomes Bernoulli(1-p); at {@code t = 0.1} it is almost
 * binary yet differentiable in {@code p}. At inference the layer is the identity, as for inverted dropout.
 *
 * <p>The rate needs a regulariser, or it would fall to 0 (less noise, lower training loss). This layer is a
 * {@link LossTerm}: after each training forward pass {@link #lossTerm()} gives
 *
 * <pre>
 *   weightRegulariser * ||W||² / (1 - p)  +  dropoutRegulariser * K * (p log p + (1-p) log(1-p))
 * </pre>
 *
 * where {@code W} is the weight of the layer this dropout feeds (the next {@code Linear}, given when an
 * {@link Mlp} builds the block; without it the first term is left out) and {@code K} the number of units dropped
 * (the width of the input). The second term is the negative entropy of the Bernoulli: it pulls {@code p} towards
 * 0.5, the first towards 0. The paper scales both by the training-set size {@code N} because the data loss is a
 * mean over examples: {@link Settings#forTrainingSize(int)}; {@link Settings#PAPER_DEFAULTS} are the defaults of the
 * authors' Keras layer.
 *
 * <pre>{@code
 * Mlp model = Mlp.builder().hidden(128, 0.5)                     // 0.5: where the rate starts
 *         .dropoutKind(DropoutKind.CONCRETE)
 *         .concrete(ConcreteDropout.Settings.forTrainingSize(data.trainSize()))
 *         .build();
 * }</pre>
 *
 * {@link #rate()} reads the learned {@code p}, so a training history records it per epoch. A dropout schedule
 * cannot set the rate ({@link #setRate(double)} refuses once the layer exists).
 */
public final class ConcreteDropout extends DropoutLayer implements LossTerm {
    /** Keeps {@code log u} and {@code log(1-u)} finite, as in the authors' code. */
    static final float EPSILON = 1e-7f;

    /**
     * Temperature of the relaxed mask and the two regulariser weights.
     *
     * @param temperature       {@code t > 0}; the paper uses 0.1
     * @param weightRegulariser factor of {@code ||W||² / (1-p)}, {@code l² / N} in the paper (prior length-scale
     *                          {@code l}, {@code N} training examples)
     * @param dropoutRegulariser factor of {@code K} times the negative entropy, {@code 2 / N} in the paper
     */
    public record Settings(double temperature, double weightRegulariser, double dropoutRegulariser) {
        /** The authors' Keras layer: {@code t = 0.1}, weight 1e-6, dropout 1e-5 (about {@code 2 / N} at N = 200,000). */
        public static final Settings PAPER_DEFAULTS = new Settings(0.1, 1e-6, 1e-5);

        /** The prior length-scale of the authors' examples. */
        public static final double DEFAULT_LENGTH_SCALE = 1e-4;

        public Settings {
            if (!(temperature > 0) || Double.isInfinite(temperature)) {
                throw new IllegalArgumentException("concrete dropout temperature " + temperature
                        + " must be positive: the paper uses 0.1 (smaller: closer to a binary mask)");
            }
            if (!(weightRegulariser >= 0)
                    || !(dropoutRegulariser >= 0)
                    || Double.isInfinite(weightRegulariser)
                    || Double.isInfinite(dropoutRegulariser)) {
                throw new IllegalArgumentException("concrete dropout regularisers " + weightRegulariser + " and "
                        + dropoutRegulariser + " must be zero or positive: use Settings.forTrainingSize(N)");
            }
        }

        /** The paper's scaling for {@code examples} training examples: {@code l²/N} and {@code 2/N}, l = 1e-4, t = 0.1. */
        public static Settings forTrainingSize(int examples) {
            return forTrainingSize(examples, DEFAULT_LENGTH_SCALE);
        }

        /** The paper's scaling with prior length-scale {@code lengthScale}: {@code l²/N} and {@code 2/N}, t = 0.1. */
        public static Settings forTrainingSize(int examples, double lengthScale) {
            if (examples < 1) {
                throw new IllegalArgumentException("training-set size " + examples
                        + " must be at least 1: give the number of training examples, e.g. data.trainSize()");
            }
            if (!(lengthScale > 0) || Double.isInfinite(lengthScale)) {
                throw new IllegalArgumentException(
                        "prior length-scale " + lengthScale + " must be positive: the authors' examples use 1e-4");
            }
            return new Settings(PAPER_DEFAULTS.temperature(), lengthScale * lengthScale / examples, 2.0 / examples);
        }

        /** The same regularisers at another temperature. */
        public Settings withTemperature(double t) {
            return new Settings(t, weightRegulariser, dropoutRegulariser);
        }
    }

    private final Settings settings;
    private final Parameter logit;
    private final Parameter regularisedWeight; // weight of the layer fed, or null
    private final ThreadLocal<NDArray> term = new ThreadLocal<>(); // per thread: data-parallel workers share a layer
    private SplittableRandom noise = new SplittableRandom(); // the training loop reseeds it per run

    /** A standalone layer starting at {@code initialRate} in (0, 1), regularising no weight. */
    public ConcreteDropout(double initialRate, Settings settings) {
        this(initialRate, settings, null);
    }

    /**
     * A layer starting at {@code initialRate} in (0, 1) that feeds the layer whose weight is {@code weight}
     * (regularised by the first term of {@link #lossTerm()}; null for none).
     */
    public ConcreteDropout(double initialRate, Settings settings, Parameter weight) {
        super(checkInitialRate(initialRate));
        if (settings == null) {
            throw new IllegalArgumentException(
                    "concrete dropout needs settings: use ConcreteDropout.Settings.PAPER_DEFAULTS"
                            + " or Settings.forTrainingSize(N)");
        }
        this.settings = settings;
        this.regularisedWeight = weight;
        this.logit = addParameter(Parameter.builder()
                .setName("logit")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(new ConstantInitializer((float) Math.log(initialRate / (1 - initialRate))))
                .build());
    }

    private static double checkInitialRate(double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("concrete dropout's initial rate " + rate
                    + " is outside (0, 1): it learns a logit, which needs a start strictly inside, e.g. 0.1 or 0.5");
        }
        return rate;
    }

    @Override
    public String kind() {
        return DropoutKind.CONCRETE.label();
    }

    public Settings settings() {
        return settings;
    }

    /** The learned drop probability {@code sigmoid(logit)} (the initial rate until the block is initialised). */
    @Override
    public double rate() {
        if (logit == null || !logit.isInitialized()) {
            return super.rate();
        }
        return 1 / (1 + Math.exp(-logit.getArray().getFloat()));
    }

    /** The trained parameter behind {@link #rate()}. */
    public Parameter logit() {
        return logit;
    }

    /**
     * Refuses: the rate is learned. (The base class's constructor sets the initial rate through this method
     * before the parameter exists; that one call is let through.)
     */
    @Override
    public void setRate(double rate) {
        if (logit != null) {
            throw new IllegalArgumentException("concrete dropout learns its rate, so it cannot be set to " + rate
                    + ": remove the dropout schedule (Training.dropout) or use another DropoutKind");
        }
        super.setRate(rate);
    }

    /**
     * The regulariser of this thread's last training forward pass (a scalar in that pass's manager, so it lives as
     * long as the pass's batch); the training loop adds it to the minibatch loss before the backward pass.
     */
    @Override
    public NDArray lossTerm() {
        NDArray t = term.get();
        if (t == null) {
            throw new IllegalStateException("concrete dropout has no loss term yet: call lossTerm() after a forward"
                    + " pass in training mode, on the same thread");
        }
        return t;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training) {
            return new NDList(x);
        }
        NDArray l = ps.getValue(logit, x.getDevice(), true);
        NDArray w = regularisedWeight == null ? null : ps.getValue(regularisedWeight, x.getDevice(), true);
        NDArray u = uniform(x.getManager(), x.getShape(), x.getDataType());
        term.set(regulariser(l, w, x.getShape().tail(), settings, x.getManager()));
        return new NDList(drop(x, l, u, settings.temperature()));
    }

    /**
     * Restarts the noise sequence from {@code seed} (the training loop does so per run). The noise is drawn in Java
     * from this layer's own generator, so runs training at the same time draw what they would draw alone.
     */
    @Override
    public synchronized void reseed(long seed) {
        noise = new SplittableRandom(seed);
    }

    /** Uniform noise in [0, 1) of {@code shape}, 24 random bits per value, one forward pass at a time. */
    private NDArray uniform(NDManager manager, Shape shape, DataType type) {
        float[] u = new float[Math.toIntExact(shape.size())];
        synchronized (this) {
            for (int i = 0; i < u.length; i += 2) {
                long bits = noise.nextLong();
                u[i] = (int) (bits >>> 40) * 0x1.0p-24f;
                if (i + 1 < u.length) {
                    u[i + 1] = (int) ((bits >>> 8) & 0xFFFFFF) * 0x1.0p-24f;
                }
            }
        }
        NDArray array = manager.create(u, shape);
        return type == DataType.FLOAT32 ? array : array.toType(type, false);
    }

    /** Not used: {@link #forwardInternal} applies the learned rate, not a given one. */
    @Override
    protected NDArray drop(NDArray x, float rate) {
        throw new IllegalStateException("concrete dropout draws its mask from its learned rate, not a given one");
    }

    /** {@code x * z / (1-p)} with the relaxed mask {@code z} made from the uniform noise {@code u} (shape of x). */
    static NDArray drop(NDArray x, NDArray logit, NDArray u, double temperature) {
        NDManager manager = x.getManager();
        DataType type = x.getDataType();
        NDArray noise = u.add(EPSILON).log().sub(u.neg().add(1 + EPSILON).log()); // log u - log(1-u); no gradient
        NDArray dropped = Activation.sigmoid(noise.add(logit).mul(scalar(manager, 1 / temperature, type)));
        NDArray keep = Activation.sigmoid(local(logit.neg(), manager)); // 1 - p
        return x.mul(scalar(manager, 1, type).sub(dropped)).div(keep);
    }

    /**
     * {@code weightRegulariser * sum(W²) / (1-p) + dropoutRegulariser * units * (p log p + (1-p) log(1-p))} as a
     * scalar in {@code manager} ({@code weight} null: the first term is left out).
     */
    static NDArray regulariser(NDArray logit, NDArray weight, long units, Settings s, NDManager manager) {
        DataType type = logit.getDataType();
        NDArray minusLogit = local(logit.neg(), manager);
        NDArray p = Activation.sigmoid(minusLogit.neg());
        NDArray keep = Activation.sigmoid(minusLogit);
        NDArray negativeEntropy = p.mul(p.log()).add(keep.mul(keep.log()));
        NDArray total = negativeEntropy.mul(scalar(manager, s.dropoutRegulariser() * units, type));
        if (weight != null && s.weightRegulariser() > 0) {
            NDArray squares = local(weight.square(), manager).sum();
            total = total.add(
                    squares.mul(scalar(manager, s.weightRegulariser(), type)).div(keep));
        }
        return total.sum();
    }

    /**
     * Results join their first operand's manager; one computed from a parameter would join the model's and live
     * as long as the model. Moves it to {@code manager} (the batch's).
     */
    private static NDArray local(NDArray result, NDManager manager) {
        result.attach(manager);
        return result;
    }

    /**
     * A constant as an array owned by {@code manager}. Not {@code x.mul(number)}: the engine wraps the number in an
     * array aliasing a Java buffer and closes it at once, but autograd keeps reading it in the backward pass of a
     * product or quotient, and once the buffer is collected the gradient is garbage (seen here as a NaN in about one
     * run in fifty; {@code ConcreteDropoutTest} provokes it).
     */
    private static NDArray scalar(NDManager manager, double value, DataType type) {
        return manager.create(value).toType(type, false);
    }

    @Override
    public String toString() {
        return "concrete dropout(" + rate() + ", t " + settings.temperature() + ")";
    }
}
