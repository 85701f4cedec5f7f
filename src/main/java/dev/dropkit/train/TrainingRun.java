package dev.dropkit.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.CompactSlice;
import dev.dropkit.model.CompactSlicing;
import dev.dropkit.model.DropoutLayer;
import dev.dropkit.model.LossTerm;
import dev.dropkit.parallel.ShardedStep;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;

/**
 * A model being trained: the one training loop of the toolkit, over tensors already in memory (no DJL
 * {@code EasyTrain}, whose per-batch bookkeeping costs 0.2–0.35 s per MNIST epoch here). Each batch's gradient comes
 * from a {@link ShardedStep} (one worker: the plain step in this thread; several: shards in worker threads), then the
 * optimizer steps and the listener hears of it. Native memory is scoped per batch and per epoch, so nothing grows
 * while training; close the run to free the model and its worker threads.
 *
 * <p>Structured dropout ({@link CompactSlicing}) trains by compact steps where they are exact (one worker, one
 * device, momentum 0, weight decay by gradient or decoupled): each step gathers the kept rows and columns once,
 * differentiates and updates only them, and writes them back; otherwise the slices scatter their gradients.
 *
 * <p>Gradients are recorded with the engine's per-thread gradient mode, not DJL's one-per-JVM gradient collector,
 * and all randomness is the run's own (seeded initialisation, shuffling and dropout masks): two runs training at the
 * same time in two threads give the histories they give one after the other (timing columns aside, one engine
 * thread).
 */
public final class TrainingRun implements AutoCloseable {
    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();
    /**
     * Initialisation draws from the engine's global generator: one run at a time seeds it and draws, and no dropout
     * layer of another run reseeds it meanwhile (the same lock).
     */
    private static final Object INITIALISATION = Env.ENGINE_GENERATOR;

    private final Training config;
    private final ImageData data;
    private final Model model;
    private final Trainer trainer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<DropoutLayer> dropouts = new ArrayList<>();
    private final List<LossTerm> lossTerms = new ArrayList<>();
    private final List<CompactSlicing> compactBlocks = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> decayed = new ArrayList<>(); // what weight decay acts on: see decays(Parameter)
    private final ShardedStep step;
    private final SgdStep sgd; // null with several devices: DJL's trainer keeps their copies in step
    private final History history;
    private final int stepsPerEpoch;
    private final Schedule dropoutSchedule; // config.dropout(), or this run's own AdaptiveRate; null: fixed rates
    private final BatchGather gather; // null: data not on the CPU as float32, fall back to the engine's gather
    private long steps;
    private double lastEpochCpuSeconds = Double.NaN;
    private volatile double currentLearningRate;
    private boolean compact; // compact steps for the compactBlocks: see compactStepsExact()

    TrainingRun(Training config, ImageData data) {
        this(config, data, config.model().block());
    }

    /** A run of {@code block} (for tests of layers the {@code Mlp} builder does not make) described by the config. */
    TrainingRun(Training config, ImageData data, Block block) {
        if (data.features() != config.model().inputs()) {
            throw new IllegalArgumentException("model " + config.model() + " expects "
                    + config.model().inputs() + " inputs but " + data.name() + " has " + data.features() + " features");
        }
        if (!Double.isNaN(config.stopAt()) && !data.hasValidation()) {
            throw new IllegalArgumentException("stopAt(" + config.stopAt() + ") stops on validation accuracy, but "
                    + data.name() + " has no validation set: build the data with .validation(0.1)");
        }
        config.model().checkBatchSize(config.batchSize(), data.trainSize(), config.workers());
        this.dropoutSchedule =
                config.dropout() instanceof AdaptiveRate adaptive ? adaptive.forRun(data.valSize()) : config.dropout();
        this.config = config;
        this.data = data;
        this.history = new History(config.label());
        this.stepsPerEpoch = (data.trainSize() + config.batchSize() - 1) / config.batchSize();
        this.currentLearningRate = config.learningRate().at(0);
        this.gather = BatchGather.of(data.trainX(), data.trainY(), config.batchSize(), config.device());
        Model m = Model.newInstance(config.label(), config.device());
        try {
            m.setBlock(block);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(loss)
                    .optOptimizer(optimizer(config, () -> currentLearningRate))
                    .optDevices(config.devices().toArray(new Device[0]));
            trainer = m.newTrainer(trainingConfig);
            synchronized (INITIALISATION) {
                Env.engine().setRandomSeed((int) config.seed());
                trainer.initialize(new Shape(1, config.model().inputs()));
            }
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        model = m;
        collect(m.getBlock());
        m.getBlock().getParameters().forEach(p -> parameters.add(p.getValue()));
        parameters.stream().filter(TrainingRun::decays).forEach(decayed::add);
        reseedDropouts(0);
        if (config.dropout() != null && dropouts.isEmpty()) {
            close();
            throw new IllegalArgumentException("a dropout schedule needs dropout layers, but " + config.model()
                    + " has none: build it with a non-zero rate, e.g. Mlp.seedModel()");
        }
        step = ShardedStep.of(config.workers(), config.devices());
        if (config.devices().size() == 1) {
            List<Parameter> trained = trained();
            boolean[] decays = new boolean[trained.size()];
            for (int i = 0; i < decays.length; i++) {
                decays[i] = decays(trained.get(i));
            }
            sgd = new SgdStep(
                    trained.stream().map(Parameter::getArray).toList(), decays, config.momentum(), data.manager());
        } else {
            sgd = null;
        }
        compact = compactStepsExact();
        if (config.workers() > 1) {
            // The trainer's parameter store fills its table on first use: do it here, not in racing worker threads.
            try (NDManager scratch = data.manager().newSubManager(config.device())) {
                boolean previous = Env.gradMode(false);
                try {
                    trainer.evaluate(
                            new NDList(scratch.zeros(new Shape(1, config.model().inputs()))));
                } finally {
                    Env.gradMode(previous);
                }
            }
        }
    }

    /**
     * Whether compact steps ({@link CompactSlicing}: a structured-dropout block updates only the slices of its weights
     * it used) give exactly this run's update, so that the loop takes them. They do with one worker on one device
     * (one forward pass per step, the fused {@link SgdStep}), momentum 0, and weight decay of kind
     * {@link WeightDecay#L2_GRADIENT} or {@link WeightDecay#DECOUPLED} (or none). With momentum a dropped row still
     * moves by its velocity, so updating only the kept rows would be another algorithm; {@link WeightDecay#L2_LOSS}'s
     * penalty is a function of the full weights, whose gradient only the full path computes; several workers each
     * draw their own kept units. Otherwise the block's slices scatter their gradients into full-size ones, as always.
     */
    private boolean compactStepsExact() {
        return !compactBlocks.isEmpty()
                && sgd != null
                && config.workers() == 1
                && config.momentum() == 0
                && (config.weightDecayKind() != WeightDecay.L2_LOSS || config.weightDecay() <= 0);
    }

    /** Whether this run takes compact steps (see {@link #compactStepsExact()}). */
    boolean compactSteps() {
        return compact;
    }

    /**
     * Takes compact steps where they are exact ({@code true}, the default) or never ({@code false}: the scatter path,
     * for comparing the two). Returns whether it takes them now.
     */
    boolean compactSteps(boolean allowed) {
        compact = allowed && compactStepsExact();
        return compact;
    }

    /**
     * DJL's SGD with these settings: {@code v = momentum * v + lr * grad; w -= v}. Its own weight decay stays 0, as it
     * would decay every trained parameter: {@link WeightDecay#L2_GRADIENT} adds {@code wd * w} to the gradients of
     * the {@linkplain #decays decayed} parameters before each step instead, which is the same update for them.
     */
    static Optimizer optimizer(Training config, java.util.function.DoubleSupplier learningRate) {
        return Optimizer.sgd()
                .setLearningRateTracker((ai.djl.training.tracker.Tracker) update -> (float) learningRate.getAsDouble())
                .optMomentum((float) config.momentum())
                .optWeightDecays(0f)
                .build();
    }

    /**
     * Whether weight decay (every {@link WeightDecay} form) acts on {@code p}: on the trained weights, biases and
     * batch-norm scales and shifts, not on parameters that take no gradient (batch norm's running mean and variance,
     * which are statistics of the data, not weights) nor on parameters of type {@code OTHER} (concrete dropout's
     * rate logit: decay would pull the learned rate towards 0.5, a prior the paper does not have).
     */
    static boolean decays(Parameter p) {
        return p.requiresGradient() && p.getType() != Parameter.Type.OTHER;
    }

    /** The parameters that take gradients (not batch norm's running statistics), in the order of {@link #gradients}. */
    List<Parameter> trained() {
        return parameters.stream().filter(Parameter::requiresGradient).toList();
    }

    /** Every parameter of the model, in the model's order. */
    List<Parameter> parameters() {
        return List.copyOf(parameters);
    }

    /** The parameters weight decay acts on, in the model's order (see {@link #decays}). */
    List<Parameter> decayedParameters() {
        return List.copyOf(decayed);
    }

    /**
     * Trains {@code epochs} more epochs, or fewer when the run's target validation accuracy is reached.
     *
     * @return the history so far
     */
    public History train(int epochs) {
        TrainingListener listener = config.progress() ? Progress.forRun() : TrainingListener.none();
        listener.runStarted(new TrainingListener.RunStart(config.label(), epochs, stepsPerEpoch));
        try {
            for (int i = 0; i < epochs && !reachedTarget(); i++) {
                trainOneEpoch(listener);
            }
        } finally {
            listener.runFinished(history);
        }
        return history;
    }

    private void trainOneEpoch(TrainingListener listener) {
        int epoch = history.epochs() + 1;
        long start = System.nanoTime();
        long cpuStart = CPU.isCurrentThreadCpuTimeSupported() ? CPU.getCurrentThreadCpuTime() : -1;
        double meanLoss = trainEpoch(epoch, listener);
        double seconds = (System.nanoTime() - start) / 1e9;
        lastEpochCpuSeconds = cpuStart < 0 ? Double.NaN : (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        double trainAcc = evaluate(data.trainX(), data.trainY())[1];
        double[] val =
                data.hasValidation() ? evaluate(data.valX(), data.valY()) : new double[] {Double.NaN, Double.NaN};
        double testAcc = evaluate(data.testX(), data.testY())[1];
        history.add(
                config,
                dropoutRate(),
                currentLearningRate,
                epoch,
                meanLoss,
                trainAcc,
                val[0],
                val[1],
                testAcc,
                weightNorm(),
                seconds);
        if (dropoutSchedule instanceof TrainingListener adaptive) {
            adaptive.epochFinished(history); // it sets the next epoch's rate from this row
        }
        listener.epochFinished(history);
    }

    /**
     * CPU seconds the training thread spent in the last epoch's training (with one intra-op thread the engine
     * computes on this thread): unlike wall time, barely affected by other processes competing for the cores. With
     * several workers it counts the loop's thread only (which also computes one shard).
     */
    public double lastEpochCpuSeconds() {
        return lastEpochCpuSeconds;
    }

    public History history() {
        return history;
    }

    public Training config() {
        return config;
    }

    /** The DJL model being trained (for {@link TrainedModel#of}, which copies its parameters). */
    Model model() {
        return model;
    }

    /** The model's layers as trained so far (for reading them, e.g. {@code VarianceShift.measure}); do not train them. */
    public Block block() {
        return model.getBlock();
    }

    /** Every weight (not bias) of the model, flattened: for histograms. */
    public float[] weights() {
        try (NDManager scratch = data.manager().newSubManager()) {
            NDList flat = new NDList();
            for (Parameter p : parameters) {
                if (p.getType() == Parameter.Type.WEIGHT) {
                    NDArray f = p.getArray().flatten();
                    f.attach(scratch);
                    flat.add(f);
                }
            }
            return flat.isEmpty() ? new float[0] : NDArrays.concat(flat).toFloatArray();
        }
    }

    /**
     * The gradient of the training objective (mean loss, plus the L2 penalty or gradient decay and layers' loss terms
     * where set) over the batch ({@code x}, {@code y}) with respect to every trained parameter ({@link #trained()}, in
     * the model's parameter order) and flattened, computed by splitting the batch into {@code shards} shards in
     * worker threads as data-parallel training does; nothing is updated. For checking that splitting and averaging
     * reproduce the whole batch's gradient.
     */
    public float[] gradients(NDArray x, NDArray y, int shards) {
        int n = Math.toIntExact(x.getShape().get(0));
        if (shards < 1 || shards > n) {
            throw new IllegalArgumentException("shard count " + shards + " is outside [1, " + n
                    + "]: each shard needs at least one example of the batch of " + n);
        }
        try (NDManager batch = data.manager().newSubManager(config.device());
                ShardedStep sharded = ShardedStep.of(shards, List.of(config.device()))) {
            sharded.run(batch, n, shard(x, y, n));
            addGradientDecay(batch);
            NDList flat = new NDList();
            for (Parameter p : trained()) {
                NDArray g = p.getArray().getGradient();
                g.attach(batch);
                flat.add(g.flatten());
            }
            float[] all = NDArrays.concat(flat).toFloatArray(); // a copy, taken before the gradients are cleared
            for (Parameter p : trained()) {
                Env.zeroGradient(p.getArray()); // nothing stepped: clear by hand for the next step
            }
            return all;
        }
    }

    /**
     * The run's state now, between epochs: the history, steps taken, every parameter and the momentum buffers (see
     * {@link Checkpoint}). Not for runs whose dropout rate an {@link AdaptiveRate} controls (its controller's state
     * is not part of it).
     */
    public Checkpoint checkpoint() {
        if (config.dropout() instanceof AdaptiveRate) {
            throw new IllegalStateException(config.label() + " has an adaptive dropout rate, whose controller a "
                    + "checkpoint does not carry: train it in one piece (one run, no resume)");
        }
        if (sgd == null) {
            throw new IllegalStateException(config.label() + " trains on "
                    + config.devices().size() + " devices: " + "checkpoints are taken of runs on one device");
        }
        StringWriter csv = new StringWriter();
        history.table().write().csv(csv);
        float[][] values = new float[parameters.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = parameters.get(i).getArray().toFloatArray();
        }
        return new Checkpoint(csv.toString(), steps, values, sgd.velocities());
    }

    /** Sets this fresh run's state to {@code c} (see {@link Training#resume}). */
    void restore(Checkpoint c) {
        if (history.epochs() > 0 || steps > 0) {
            throw new IllegalStateException("restore a checkpoint into a fresh run, not one that has trained");
        }
        if (c.parameters().length != parameters.size()) {
            throw new IllegalArgumentException("the checkpoint holds " + c.parameters().length + " parameters, "
                    + config.model() + " has " + parameters.size()
                    + ": resume with the Training the checkpoint was taken of");
        }
        boolean previous = Env.gradMode(false);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i).getArray();
                if (p.getShape().size() != c.parameters()[i].length) {
                    throw new IllegalArgumentException("parameter " + i + " of the checkpoint has "
                            + c.parameters()[i].length + " values, the model's has "
                            + p.getShape().size()
                            + ": resume with the Training the checkpoint was taken of");
                }
                overwrite(p, c.parameters()[i]);
            }
        } finally {
            Env.gradMode(previous);
        }
        sgd.restore(c.velocities());
        history.table().append(History.readCsv(config.label(), c.historyCsv()).table());
        steps = c.steps();
    }

    /**
     * Copies {@code values} into {@code target}'s own memory, in place (gradient recording off). Not
     * {@code NDArray.set(Buffer)}, which would make the tensor alias a Java buffer instead.
     */
    static void overwrite(NDArray target, float[] values) {
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray source = scratch.create(values, target.getShape());
            target.set(new NDIndex("..."), source); // an indexed copy: done before the source is freed
        }
    }

    @Override
    public void close() {
        if (step != null) {
            step.close();
        }
        if (sgd != null) {
            sgd.close();
        }
        trainer.close();
        model.close();
    }

    /**
     * The optimizer step after a batch's backward pass, then decoupled decay where set. With one device, the fused
     * {@link SgdStep} (which also adds {@link WeightDecay#L2_GRADIENT}'s {@code wd * w} for the decayed parameters,
     * and updates the step's compact {@code slices} and writes them back);
     * with several, DJL's trainer, which also keeps the devices' copies of the parameters in step.
     */
    private void optimizerStep(NDManager batchManager, List<CompactSlice> slices) {
        if (sgd != null) {
            boolean l2 = config.weightDecayKind() == WeightDecay.L2_GRADIENT;
            sgd.apply(currentLearningRate, l2 ? config.weightDecay() : 0, slices);
        } else {
            addGradientDecay(batchManager);
            trainer.step();
        }
        decoupledDecay(currentLearningRate);
    }

    /** For {@link WeightDecay#L2_GRADIENT}: {@code grad += wd * w} for every decayed parameter, before the step. */
    private void addGradientDecay(NDManager manager) {
        if (config.weightDecayKind() != WeightDecay.L2_GRADIENT || config.weightDecay() <= 0) {
            return;
        }
        boolean previous = Env.gradMode(false);
        try {
            NDArray wd = manager.create((float) config.weightDecay()); // not mul(number): see shard(...)
            for (Parameter p : decayed) {
                NDArray gradient = p.getArray().getGradient();
                gradient.attach(manager); // a handle of the parameter's manager otherwise: freed with the batch
                decayGradient(gradient, p.getArray(), wd, manager);
            }
        } finally {
            Env.gradMode(previous);
        }
    }

    /** {@code gradient += wd * weight} in place ({@code wd} a scalar array), the temporary in {@code manager}. */
    static void decayGradient(NDArray gradient, NDArray weight, NDArray wd, NDManager manager) {
        NDArray term = weight.mul(wd);
        term.attach(manager);
        gradient.addi(term);
    }

    /** For {@link WeightDecay#DECOUPLED}: {@code w *= 1 - lr * wd} for every decayed parameter, after the step. */
    void decoupledDecay(double learningRate) {
        if (config.weightDecayKind() != WeightDecay.DECOUPLED || config.weightDecay() <= 0) {
            return;
        }
        float shrink = (float) (1 - learningRate * config.weightDecay());
        // An in-place change of a leaf parameter must not be recorded, whichever thread trains (a notebook kernel's
        // cell thread may have grad mode on).
        boolean recording = Env.gradMode(false);
        try {
            for (Parameter p : decayed) {
                p.getArray().muli(shrink);
            }
        } finally {
            Env.gradMode(recording);
        }
    }

    private boolean reachedTarget() {
        return !Double.isNaN(config.stopAt())
                && history.epochs() > 0
                && history.table().doubleColumn(History.VAL_ACCURACY).get(history.epochs() - 1) >= config.stopAt();
    }

    /**
     * A seed for {@code stream} (0: the shuffle, 1 + i: dropout layer i) in {@code epoch} of this run: every epoch's
     * randomness follows from the run's seed and the epoch alone, so a run resumed from a {@link Checkpoint} draws
     * what the uninterrupted run would have.
     */
    private long epochSeed(int epoch, int stream) {
        long z = config.seed() * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + stream * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Seeds every dropout layer's masks for {@code epoch} (0: before the first epoch, e.g. for {@link #gradients}). */
    private void reseedDropouts(int epoch) {
        for (int i = 0; i < dropouts.size(); i++) {
            dropouts.get(i).reseed(epochSeed(epoch, 1 + i));
        }
    }

    private double trainEpoch(int epoch, TrainingListener listener) {
        int n = data.trainSize();
        int batchSize = config.batchSize();
        reseedDropouts(epoch);
        try (NDManager epochManager = data.manager().newSubManager(config.device())) {
            long[] permutation = Shuffle.permutation(n, new Random(epochSeed(epoch, 0)));
            NDArray x = null;
            NDArray y = null;
            if (gather == null) {
                NDArray order = epochManager.create(permutation);
                x = data.trainX().get(epochManager, new NDIndex("{}", order));
                y = data.trainY().get(epochManager, new NDIndex("{}", order));
            }
            NDArray lossSum = epochManager.zeros(new Shape(), DataType.FLOAT32);
            long startOfEpoch = System.nanoTime();
            for (int from = 0, batch = 0; from < n; from += batchSize, batch++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException(
                            config.label() + ": training interrupted in epoch " + epoch + " at batch " + batch);
                }
                double position = (double) steps / stepsPerEpoch;
                currentLearningRate = config.learningRate().at(position);
                if (dropoutSchedule != null) {
                    double rate = dropoutSchedule.at(position);
                    dropouts.forEach(d -> d.setRate(rate));
                }
                int to = Math.min(n, from + batchSize);
                try (NDManager batchManager = epochManager.newSubManager()) {
                    ShardedStep.Shard shard;
                    if (gather != null) {
                        shard = gathered(permutation, from, to);
                    } else {
                        NDIndex range = new NDIndex().addSliceDim(from, to);
                        shard = shard(x.get(batchManager, range), y.get(batchManager, range), to - from);
                    }
                    List<CompactSlice> slices = new ArrayList<>();
                    if (compact) {
                        compactBlocks.forEach(b -> b.gatherNextStepInto(batchManager));
                    }
                    try {
                        lossSum.addi(step.run(batchManager, to - from, shard));
                    } finally {
                        if (compact) {
                            compactBlocks.forEach(b -> slices.addAll(b.takeSlices()));
                        }
                    }
                    optimizerStep(batchManager, slices);
                }
                steps++;
                int done = to;
                listener.batchFinished(new TrainingListener.BatchEnd(
                        config.label(),
                        epoch,
                        batch + 1,
                        stepsPerEpoch,
                        (System.nanoTime() - startOfEpoch) / 1e9,
                        () -> lossSum.getFloat() / done));
            }
            return lossSum.getFloat() / n;
        }
    }

    /**
     * The forward pass of rows {@code [from, to)} of a batch ({@code x}, {@code y}) of {@code n}: the objective is the
     * shard's mean loss plus the L2 penalty (for {@link WeightDecay#L2_LOSS}) and every {@link LossTerm} layer's term,
     * weighted by the shard's share; the report is the shard's summed loss (what the history's train_loss averages).
     */
    private ShardedStep.Shard shard(NDArray x, NDArray y, int n) {
        return (manager, device, from, to, share) -> {
            NDArray xs = x;
            NDArray ys = y;
            if (from != 0 || to != n) {
                NDIndex range = new NDIndex().addSliceDim(from, to);
                xs = x.get(manager, range);
                ys = y.get(manager, range);
            }
            return objective(manager, device, xs, ys, share);
        };
    }

    /**
     * The shards of batch {@code [batchFrom, batchTo)} of the epoch's order, each gathering its own rows (in its own
     * thread: with several workers the copying is shared too).
     */
    private ShardedStep.Shard gathered(long[] order, int batchFrom, int batchTo) {
        return (manager, device, from, to, share) -> objective(
                manager,
                device,
                gather.features(manager, order, batchFrom + from, batchFrom + to, from),
                gather.labels(manager, order, batchFrom + from, batchFrom + to, from),
                share);
    }

    /** One shard's objective over its rows ({@code xs}, {@code ys}); see {@link #shard}. */
    private ShardedStep.ShardLoss objective(NDManager manager, Device device, NDArray xs, NDArray ys, float share) {
        if (!xs.getDevice().equals(device)) {
            xs = xs.toDevice(device, false);
            ys = ys.toDevice(device, false);
        }
        NDArray l = loss.evaluate(new NDList(ys), trainer.forward(new NDList(xs)));
        NDArray objective = l;
        if (config.weightDecayKind() == WeightDecay.L2_LOSS && config.weightDecay() > 0) {
            objective = objective.add(l2Penalty(manager));
        }
        for (LossTerm term : lossTerms) {
            NDArray t = term.lossTerm();
            t.attach(manager); // it joins its parameters' manager otherwise, which lives as long as the model
            objective = objective.add(t);
        }
        if (share != 1f) {
            // an array of the shard's, not mul(float): the engine's array for a Java number aliases a buffer that
            // GC may free before the backward pass reads it (wrong gradients; see ConcreteDropout.scalar)
            objective = objective.mul(manager.create(share));
        }
        NDArray report = l.stopGradient().mul(xs.getShape().get(0));
        return new ShardedStep.ShardLoss(objective, report);
    }

    /** {@code wd / 2 * sum(w^2)} over the decayed parameters (see {@link #decays}). */
    private NDArray l2Penalty(NDManager manager) {
        NDArray sum = manager.zeros(new Shape());
        for (Parameter p : decayed) {
            NDArray square = p.getArray().square();
            square.attach(manager); // results join their first operand's manager: keep them in the batch's
            sum = sum.add(square.sum());
        }
        return sum.mul(manager.create((float) (config.weightDecay() / 2))); // not mul(number): see shard(...)
    }

    /**
     * Mean loss and fraction of correctly classified examples, in inference mode (dropout off, no gradient
     * recording), in chunks to bound memory.
     */
    private double[] evaluate(NDArray x, NDArray y) {
        long n = x.getShape().get(0);
        long correct = 0;
        double lossSum = 0;
        boolean previous = Env.gradMode(false);
        try {
            for (long from = 0; from < n; from += 4096) {
                try (NDManager chunk = x.getManager().newSubManager()) {
                    long to = Math.min(n, from + 4096);
                    NDIndex range = new NDIndex().addSliceDim(from, to);
                    NDArray logits = trainer.evaluate(
                                    new NDList(x.get(chunk, range).toDevice(config.device(), false)))
                            .head();
                    NDArray labels = y.get(chunk, range).toDevice(config.device(), false);
                    NDArray chunkLoss = loss.evaluate(new NDList(labels), new NDList(logits));
                    NDArray hits = logits.argMax(1).eq(labels).sum();
                    chunkLoss.attach(chunk);
                    hits.attach(chunk);
                    lossSum += chunkLoss.getFloat() * (double) (to - from);
                    correct += hits.getLong();
                }
            }
        } finally {
            Env.gradMode(previous);
        }
        return new double[] {lossSum / n, (double) correct / n};
    }

    /** L2 norm of all weights (not biases). */
    private double weightNorm() {
        double sum = 0;
        try (NDManager scratch = data.manager().newSubManager()) {
            for (Parameter p : parameters) {
                if (p.getType() == Parameter.Type.WEIGHT) {
                    NDArray square = p.getArray().square();
                    square.attach(scratch);
                    sum += square.sum().getFloat();
                }
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * The rate History's {@code dropout} column records: the first dropout layer's (for a learned rate, its value at
     * the end of the epoch). Models with several dropout layers record only the first; the seed model has one.
     */
    private double dropoutRate() {
        if (!dropouts.isEmpty()) {
            return dropouts.get(0).rate();
        }
        return config.model().hidden().isEmpty()
                ? 0
                : config.model().hidden().get(0).dropout();
    }

    private void collect(Block block) {
        if (block instanceof DropoutLayer d) {
            dropouts.add(d);
        }
        if (block instanceof LossTerm t) {
            lossTerms.add(t);
        }
        if (block instanceof CompactSlicing c) {
            compactBlocks.add(c);
        }
        block.getChildren().values().forEach(this::collect);
    }
}
