package dev.dropkit.train;

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
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.DropoutLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;

/**
 * A model being trained: the lean loop over tensors already in memory (no DJL {@code EasyTrain}, whose per-batch
 * bookkeeping costs 0.2–0.35 s per MNIST epoch here). Native memory is scoped per batch and per epoch, so nothing
 * grows while training; close the run to free the model.
 */
public final class TrainingRun implements AutoCloseable {
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
    private final Training config;
    private final ImageData data;
    private final Model model;
    private final Trainer trainer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<DropoutLayer> dropouts = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private final Random shuffle;
    private final History history;
    private final int stepsPerEpoch;
    private final BatchGather gather; // null: data not on the CPU as float32, fall back to the engine's gather
    private long step;
    private double lastEpochCpuSeconds = Double.NaN;
    private double currentLearningRate;

    TrainingRun(Training config, ImageData data) {
        if (data.features() != config.model().inputs()) {
            throw new IllegalArgumentException("model " + config.model() + " expects " + config.model().inputs()
                    + " inputs but " + data.name() + " has " + data.features() + " features");
        }
        this.config = config;
        this.data = data;
        Env.engine().setRandomSeed((int) config.seed());
        this.shuffle = new Random(config.seed());
        this.history = new History(config.label());
        this.stepsPerEpoch = (data.trainSize() + config.batchSize() - 1) / config.batchSize();
        this.currentLearningRate = config.learningRate().at(0);
        this.gather = BatchGather.of(data.trainX(), data.trainY(), config.batchSize(), config.device());
        Model m = Model.newInstance(config.label(), config.device());
        try {
            m.setBlock(config.model().block());
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(loss)
                    .optOptimizer(optimizer(config, () -> currentLearningRate))
                    .optDevices(new ai.djl.Device[] {config.device()});
            trainer = m.newTrainer(trainingConfig);
            trainer.initialize(new Shape(1, config.model().inputs()));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        model = m;
        collect(m.getBlock());
        m.getBlock().getParameters().forEach(p -> parameters.add(p.getValue()));
        if (config.dropout() != null && dropouts.isEmpty()) {
            close();
            throw new IllegalArgumentException("a dropout schedule needs dropout layers, but " + config.model()
                    + " has none: build it with a non-zero rate, e.g. Mlp.seedModel()");
        }
    }

    /** DJL's SGD with these settings: {@code v = momentum * v + lr * (grad + wd * w); w -= v}. */
    static Optimizer optimizer(Training config, java.util.function.DoubleSupplier learningRate) {
        float wd = config.weightDecayKind() == WeightDecay.L2_GRADIENT ? (float) config.weightDecay() : 0f;
        return Optimizer.sgd()
                .setLearningRateTracker((ai.djl.training.tracker.Tracker) update -> (float) learningRate.getAsDouble())
                .optMomentum((float) config.momentum())
                .optWeightDecays(wd)
                .build();
    }

    /**
     * Trains {@code epochs} more epochs, or fewer when the run's target accuracy is reached.
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
            double trainAcc = accuracy(data.trainX(), data.trainY());
            double testAcc = accuracy(data.testX(), data.testY());
            history.add(config, dropoutRate(), currentLearningRate, epoch, meanLoss, trainAcc, Double.NaN, Double.NaN, testAcc,
                    weightNorm(), seconds);
            listener.epochFinished(history);
    }

    /**
     * CPU seconds the training thread spent in the last epoch's training (with one intra-op thread the engine
     * computes on this thread): unlike wall time, barely affected by other processes competing for the cores.
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

    @Override
    public void close() {
        trainer.close();
        model.close();
    }

    private boolean reachedTarget() {
        return !Double.isNaN(config.stopAt()) && history.epochs() > 0
                && history.finalTestAccuracy() >= config.stopAt();
    }

    private double trainEpoch(int epoch, TrainingListener listener) {
        int n = data.trainSize();
        int batchSize = config.batchSize();
        try (NDManager epochManager = data.manager().newSubManager(config.device())) {
            long[] permutation = Shuffle.permutation(n, shuffle);
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
                    throw new CancellationException(config.label() + ": training interrupted in epoch " + epoch
                            + " at batch " + batch);
                }
                double position = (double) step / stepsPerEpoch;
                currentLearningRate = config.learningRate().at(position);
                if (config.dropout() != null) {
                    double rate = config.dropout().at(position);
                    dropouts.forEach(d -> d.setRate(rate));
                }
                int to = Math.min(n, from + batchSize);
                try (NDManager batchManager = epochManager.newSubManager()) {
                    NDList xb;
                    NDList yb;
                    if (gather != null) {
                        xb = new NDList(gather.features(batchManager, permutation, from, to));
                        yb = new NDList(gather.labels(batchManager, permutation, from, to));
                    } else {
                        NDIndex range = new NDIndex().addSliceDim(from, to);
                        xb = new NDList(x.get(batchManager, range));
                        yb = new NDList(y.get(batchManager, range));
                    }
                    NDArray l;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        l = loss.evaluate(yb, trainer.forward(xb));
                        collector.backward(config.weightDecayKind() == WeightDecay.L2_LOSS && config.weightDecay() > 0
                                ? l.add(l2Penalty(batchManager)) : l);
                    }
                    lossSum.addi(l.mul(to - from));
                    trainer.step();
                    if (config.weightDecayKind() == WeightDecay.DECOUPLED && config.weightDecay() > 0) {
                        float shrink = (float) (1 - currentLearningRate * config.weightDecay());
                        for (Parameter p : parameters) {
                            p.getArray().muli(shrink);
                        }
                    }
                }
                step++;
                long epochStart = startOfEpoch;
                listener.batchFinished(new TrainingListener.BatchEnd(config.label(), epoch, batch + 1, stepsPerEpoch,
                        (System.nanoTime() - epochStart) / 1e9, () -> lossSum.getFloat() / to));
            }
            return lossSum.getFloat() / n;
        }
    }

    /** {@code wd / 2 * sum(w^2)} over every parameter, as DJL's optimizer decays every parameter too. */
    private NDArray l2Penalty(NDManager manager) {
        NDArray sum = manager.zeros(new Shape());
        for (Parameter p : parameters) {
            NDArray square = p.getArray().square();
            square.attach(manager); // results join their first operand's manager: keep them in the batch's
            sum = sum.add(square.sum());
        }
        return sum.mul(config.weightDecay() / 2);
    }

    /** Fraction of correctly classified examples, in inference mode (dropout off), in chunks to bound memory. */
    private double accuracy(NDArray x, NDArray y) {
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

    private double dropoutRate() {
        if (!dropouts.isEmpty()) {
            return dropouts.get(0).rate();
        }
        return config.model().hidden().isEmpty() ? 0 : config.model().hidden().get(0).dropout();
    }

    private void collect(Block block) {
        if (block instanceof DropoutLayer d) {
            dropouts.add(d);
        }
        block.getChildren().values().forEach(this::collect);
    }
}
