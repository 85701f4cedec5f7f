package dev.dropkit.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CancellationException;

/**
 * One minibatch-SGD training run of an {@link Mlp}: a lean loop over tensors already in memory (no DJL
 * {@code EasyTrain}, whose per-batch bookkeeping costs 0.2–0.35 s per MNIST epoch here).
 *
 * <pre>{@code
 * History h = Training.of(Mlp.seedModel()).sgd(0.01).batchSize(128).epochs(10).fit(mnist);
 * }</pre>
 *
 * <p>With the same seed and one engine thread ({@code Env.threads(1)}) two runs give the same history apart from
 * the timing columns. Native memory is scoped per batch and per epoch, so nothing grows while training.
 */
public final class Training {
    private final Mlp model;
    private double learningRate = 0.01;
    private double momentum;
    private double weightDecay;
    private int batchSize = 128;
    private int epochs = 10;
    private long seed = 42;
    private String label;
    private boolean progress = true;
    private Device device = Device.cpu();

    private Training(Mlp model) {
        this.model = model;
    }

    /** A run of {@code model} with the Keras {@code 'sgd'} defaults: lr 0.01, no momentum, batch 128, 10 epochs. */
    public static Training of(Mlp model) {
        return new Training(model);
    }

    /** Learning rate of plain SGD; must be positive. */
    public Training sgd(double learningRate) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate " + learningRate
                    + " must be a positive number: try 0.01 (Keras's SGD default) or 0.1");
        }
        this.learningRate = learningRate;
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

    /** L2 weight decay as DJL's SGD applies it: the update uses {@code grad + weightDecay * w}. */
    public Training weightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay " + weightDecay + " must be zero or positive: try 1e-4");
        }
        this.weightDecay = weightDecay;
        return this;
    }

    public Training batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be at least 1: try 128");
        }
        this.batchSize = batchSize;
        return this;
    }

    public Training epochs(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epoch count " + epochs + " must be at least 1");
        }
        this.epochs = epochs;
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

    /** The device to train on (default CPU). */
    public Training device(Device device) {
        this.device = device;
        return this;
    }

    public double learningRate() {
        return learningRate;
    }

    public double momentum() {
        return momentum;
    }

    public double weightDecay() {
        return weightDecay;
    }

    public int batchSize() {
        return batchSize;
    }

    public int epochs() {
        return epochs;
    }

    public Mlp model() {
        return model;
    }

    public String label() {
        return label != null ? label : model.toString();
    }

    /** Trains a fresh copy of the model on {@code data} and returns its per-epoch history. */
    public History fit(ImageData data) {
        if (data.features() != model.inputs()) {
            throw new IllegalArgumentException("model " + model + " expects " + model.inputs()
                    + " inputs but " + data.name() + " has " + data.features() + " features");
        }
        Engine engine = Env.engine();
        engine.setRandomSeed((int) seed);
        Random shuffle = new Random(seed);
        History history = new History(label());
        double dropout = model.hidden().isEmpty() ? 0 : model.hidden().get(0).dropout();
        Loss loss = Loss.softmaxCrossEntropyLoss();
        try (Model m = Model.newInstance(label(), device)) {
            m.setBlock(model.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(loss).optOptimizer(optimizer())
                    .optDevices(new Device[] {device});
            try (Trainer trainer = m.newTrainer(config)) {
                trainer.initialize(new Shape(1, model.inputs()));
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long start = System.nanoTime();
                    double meanLoss = trainEpoch(trainer, loss, data, shuffle, epoch);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    double trainAcc = accuracy(trainer, data.trainX(), data.trainY());
                    double testAcc = accuracy(trainer, data.testX(), data.testY());
                    history.add(this, dropout, learningRate, epoch, meanLoss, trainAcc, testAcc, seconds);
                    if (progress) {
                        // One println per line: notebook kernels stream each write as its own message.
                        System.out.println(String.format(Locale.ROOT,
                                "%s  epoch %2d/%d  loss %.4f  train %.2f%%  test %.2f%%  %.2f s", label(), epoch,
                                epochs, meanLoss, 100 * trainAcc, 100 * testAcc, seconds));
                    }
                }
            }
        }
        return history;
    }

    /** DJL's SGD with this run's settings: {@code v = momentum * v + lr * (grad + wd * w); w -= v}. */
    Optimizer optimizer() {
        return Optimizer.sgd()
                .setLearningRateTracker(Tracker.fixed((float) learningRate))
                .optMomentum((float) momentum)
                .optWeightDecays((float) weightDecay)
                .build();
    }

    /** One pass over a fresh permutation of the training set; returns the mean minibatch loss. */
    private double trainEpoch(Trainer trainer, Loss loss, ImageData data, Random shuffle, int epoch) {
        int n = data.trainSize();
        try (NDManager epochManager = data.manager().newSubManager(device)) {
            NDArray order = epochManager.create(permutation(n, shuffle));
            NDArray x = data.trainX().get(epochManager, new NDIndex("{}", order));
            NDArray y = data.trainY().get(epochManager, new NDIndex("{}", order));
            NDArray lossSum = epochManager.zeros(new Shape(), DataType.FLOAT32);
            for (int from = 0, batch = 0; from < n; from += batchSize, batch++) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException(label() + ": training interrupted in epoch " + epoch
                            + " at batch " + batch);
                }
                int to = Math.min(n, from + batchSize);
                try (NDManager batchManager = epochManager.newSubManager()) {
                    NDIndex range = new NDIndex().addSliceDim(from, to);
                    NDList xb = new NDList(x.get(batchManager, range));
                    NDList yb = new NDList(y.get(batchManager, range));
                    NDArray l;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDList predictions = trainer.forward(xb);
                        l = loss.evaluate(yb, predictions);
                        collector.backward(l);
                    }
                    lossSum.addi(l.mul(to - from));
                    trainer.step();
                }
            }
            return lossSum.getFloat() / n;
        }
    }

    /** Fraction of correctly classified examples, in inference mode (dropout off), in chunks to bound memory. */
    static double accuracy(Trainer trainer, NDArray x, NDArray y) {
        long n = x.getShape().get(0);
        long correct = 0;
        for (long from = 0; from < n; from += 4096) {
            try (NDManager chunk = x.getManager().newSubManager()) {
                NDIndex range = new NDIndex().addSliceDim(from, Math.min(n, from + 4096));
                NDArray logits = trainer.evaluate(new NDList(x.get(chunk, range))).head();
                correct += logits.argMax(1).eq(y.get(chunk, range)).sum().getLong();
            }
        }
        return (double) correct / n;
    }

    private static long[] permutation(int n, Random random) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
