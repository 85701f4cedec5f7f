package dev.dropkit.train;

import ai.djl.Device;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import java.util.HashSet;
import java.util.List;

/**
 * The settings of a minibatch-SGD training run of an {@link Mlp}, as a fluent builder; {@link #fit} trains a fresh
 * model and returns its per-epoch {@link History}, {@link #start} returns a {@link TrainingRun} that can be trained
 * further step by step (for searches that stop bad runs early).
 *
 * <pre>{@code
 * History h = Training.of(Mlp.seedModel()).sgd(0.01).batchSize(128).epochs(10).fit(mnist);
 * History fast = Training.of(Mlp.seedModel()).sgd(Schedule.cosine(0.2, 0, 10).withWarmup(1)).momentum(0.9)
 *         .dropout(Schedule.curriculum(0.5, 1)).stopAt(0.98).epochs(10).fit(mnist);
 * History parallel = Training.of(Mlp.seedModel()).sgd(0.1).batchSize(512).workers(2).fit(mnist);
 * }</pre>
 *
 * <p>{@link #workers} splits every batch into shards whose forward and backward passes run at the same time in
 * worker threads, with the shards' gradients averaged into the whole batch's gradient: the update is the one-worker
 * update, only the work is spread. Every other setting works the same with any number of workers.
 *
 * <p>With the same seed and one engine thread ({@code Env.threads(1)}) two runs give the same history apart from
 * the timing columns.
 */
public final class Training {
    private final Mlp model;
    private Schedule learningRate = Schedule.constant(0.01);
    private Schedule dropout;
    private double momentum;
    private double weightDecay;
    private WeightDecay weightDecayKind = WeightDecay.L2_GRADIENT;
    private int batchSize = 128;
    private int epochs = 10;
    private long seed = 42;
    private double stopAt = Double.NaN;
    private String label;
    private boolean progress = true;
    private int workers = 1;
    private List<Device> devices = List.of(Device.cpu());

    private Training(Mlp model) {
        this.model = model;
    }

    /** A run of {@code model} with the Keras {@code 'sgd'} defaults: lr 0.01, no momentum, batch 128, 10 epochs. */
    public static Training of(Mlp model) {
        return new Training(model);
    }

    /** A copy of these settings, to vary one of them. */
    public Training copy() {
        return copyFor(model);
    }

    /** The same settings for another model (the label goes back to the model's description). */
    public Training model(Mlp other) {
        Training t = copyFor(other);
        t.label = null;
        return t;
    }

    private Training copyFor(Mlp m) {
        Training t = new Training(m);
        t.learningRate = learningRate;
        t.dropout = dropout;
        t.momentum = momentum;
        t.weightDecay = weightDecay;
        t.weightDecayKind = weightDecayKind;
        t.batchSize = batchSize;
        t.epochs = epochs;
        t.seed = seed;
        t.stopAt = stopAt;
        t.label = label;
        t.progress = progress;
        t.workers = workers;
        t.devices = devices;
        return t;
    }

    /** A constant learning rate; must be positive. */
    public Training sgd(double learningRate) {
        checkLearningRate(learningRate);
        this.learningRate = Schedule.constant(learningRate);
        return this;
    }

    /** A learning-rate schedule over epochs (step, cosine, warm-up...); checked at every step. */
    public Training sgd(Schedule learningRate) {
        checkLearningRate(learningRate.at(0) == 0 ? learningRate.at(1) : learningRate.at(0));
        this.learningRate = learningRate;
        return this;
    }

    /** A dropout-rate schedule over epochs (e.g. {@link Schedule#curriculum}) for every hidden layer. */
    public Training dropout(Schedule rate) {
        this.dropout = rate;
        return this;
    }

    /** Classical (heavy-ball) momentum in [0, 1). */
    public Training momentum(double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum " + momentum + " is outside [0, 1): try 0.9");
        }
        this.momentum = momentum;
        return this;
    }

    /** Weight decay as an L2 term in the gradient (DJL's and PyTorch's SGD {@code weight_decay}). */
    public Training weightDecay(double weightDecay) {
        return weightDecay(weightDecay, WeightDecay.L2_GRADIENT);
    }

    /** Weight decay of strength {@code weightDecay}, applied the given way. */
    public Training weightDecay(double weightDecay, WeightDecay kind) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay " + weightDecay + " must be zero or positive: try 1e-4");
        }
        this.weightDecay = weightDecay;
        this.weightDecayKind = kind;
        return this;
    }

    public Training batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be at least 1: try 128");
        }
        if (batchSize < workers) {
            throw new IllegalArgumentException("batch size " + batchSize + " is below the " + workers
                    + " workers: each worker needs at least one example; use a batch of at least " + workers
                    + " or fewer workers");
        }
        this.batchSize = batchSize;
        return this;
    }

    /** The most epochs {@link #fit} trains (fewer when {@link #stopAt} is reached). */
    public Training epochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epoch count " + epochs + " must be at least 1");
        }
        this.epochs = epochs;
        return this;
    }

    /**
     * Stops {@link #fit} after the first epoch whose validation accuracy reaches {@code target} in (0, 1]; the data
     * must hold a validation set ({@code ImageData.Builder.validation}).
     */
    public Training stopAt(double target) {
        this.stopAt = History.checkTarget(target);
        return this;
    }

    /** Seeds parameter initialisation, dropout masks and shuffling. */
    public Training seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Name of the run in the history table and the progress lines (default: the model description). */
    public Training label(String label) {
        this.label = label;
        return this;
    }

    /** Whether to print one progress line per epoch (default true). */
    public Training progress(boolean progress) {
        this.progress = progress;
        return this;
    }

    /** The device to train on (default CPU; {@code Devices.best()} picks a GPU where there is one). */
    public Training device(Device device) {
        return devices(List.of(device));
    }

    /**
     * Data-parallel training: every batch is split into {@code workers} shards (from 1 to the batch size) whose
     * gradients are computed at the same time in worker threads and averaged. Default 1 (no worker threads).
     */
    public Training workers(int workers) {
        if (workers < 1 || workers > batchSize) {
            throw new IllegalArgumentException("worker count " + workers + " is outside [1, " + batchSize
                    + "]: each worker needs at least one example of the batch of " + batchSize);
        }
        this.workers = workers;
        return this;
    }

    /**
     * The devices the shards run on, shard {@code i} on device {@code i % devices.size()} (one CPU, or distinct GPUs:
     * see {@code Devices.cpuOrGpus}); the first holds the model for evaluation.
     */
    public Training devices(List<Device> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("device list is empty: use Devices.cpuOrGpus(1) for the CPU");
        }
        if (new HashSet<>(devices).size() != devices.size()) {
            throw new IllegalArgumentException("device list " + devices
                    + " repeats a device: DJL trains on distinct devices only; on a CPU use workers(n) for threads");
        }
        this.devices = List.copyOf(devices);
        return this;
    }

    /** Trains a fresh copy of the model on {@code data} and returns its per-epoch history. */
    public History fit(ImageData data) {
        try (TrainingRun run = start(data)) {
            run.train(epochs);
            return run.history();
        }
    }

    /**
     * Trains a fresh copy of the model on {@code data} and keeps it, to predict, evaluate, save and load (see
     * {@link TrainedModel}); its {@code history()} is what {@link #fit} returns. Close it to free its memory.
     */
    public TrainedModel train(ImageData data) {
        try (TrainingRun run = start(data)) {
            run.train(epochs);
            return TrainedModel.of(run, data);
        }
    }

    /** A fresh model ready to train on {@code data}; close it to free its native memory. */
    public TrainingRun start(ImageData data) {
        return new TrainingRun(this, data);
    }

    /**
     * This training's model in the state of {@code checkpoint} (taken with {@link TrainingRun#checkpoint()} of a run
     * of the same settings), ready to train on: it trains on exactly as the run it was taken of would have.
     */
    public TrainingRun resume(ImageData data, Checkpoint checkpoint) {
        TrainingRun run = start(data);
        try {
            run.restore(checkpoint);
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    public Mlp model() {
        return model;
    }

    public Schedule learningRate() {
        return learningRate;
    }

    /** The dropout schedule, or null for the model's fixed rates. */
    public Schedule dropout() {
        return dropout;
    }

    public double momentum() {
        return momentum;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public WeightDecay weightDecayKind() {
        return weightDecayKind;
    }

    public int batchSize() {
        return batchSize;
    }

    public int epochs() {
        return epochs;
    }

    public long seed() {
        return seed;
    }

    public double stopAt() {
        return stopAt;
    }

    public boolean progress() {
        return progress;
    }

    /** The first of {@link #devices()}: where the model is evaluated. */
    public Device device() {
        return devices.get(0);
    }

    public List<Device> devices() {
        return devices;
    }

    public int workers() {
        return workers;
    }

    public String label() {
        return label != null ? label : model.toString();
    }

    private static void checkLearningRate(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate " + learningRate
                    + " must be a positive number: try 0.01 (Keras's SGD default) or 0.1");
        }
    }
}
