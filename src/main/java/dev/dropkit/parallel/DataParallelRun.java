package dev.dropkit.parallel;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.train.History;
import dev.dropkit.train.Shuffle;
import dev.dropkit.train.Training;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A model being trained data-parallel (see {@link DataParallel}). The per-epoch table has the columns {@code run},
 * {@code workers}, {@code devices}, {@code batch_size}, {@code lr}, {@code epoch}, {@code train_loss},
 * {@code test_accuracy}, {@code seconds} (training only), {@code cumulative_seconds} and {@code samples_per_second},
 * named as in {@link History} where they mean the same.
 */
public final class DataParallelRun implements AutoCloseable {
    public static final String WORKERS = "workers";
    public static final String SAMPLES_PER_SECOND = "samples_per_second";

    private final DataParallel settings;
    private final Training config;
    private final ImageData data;
    private final Model model;
    private final Trainer trainer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final List<Parameter> parameters = new ArrayList<>();
    private final ExecutorService pool;
    private final Random shuffle;
    private final Table history;
    private final int stepsPerEpoch;
    private long step;
    private volatile double currentLearningRate;

    DataParallelRun(DataParallel settings, ImageData data) {
        this.settings = settings;
        this.config = settings.training();
        this.data = data;
        if (data.features() != config.model().inputs()) {
            throw new IllegalArgumentException("model " + config.model() + " expects " + config.model().inputs()
                    + " inputs but " + data.name() + " has " + data.features() + " features");
        }
        Env.engine().setRandomSeed((int) config.seed());
        shuffle = new Random(config.seed());
        stepsPerEpoch = (data.trainSize() + config.batchSize() - 1) / config.batchSize();
        currentLearningRate = config.learningRate().at(0);
        history = Table.create(config.label(), StringColumn.create(History.RUN), IntColumn.create(WORKERS),
                StringColumn.create("devices"), IntColumn.create("batch_size"), DoubleColumn.create("lr"),
                IntColumn.create(History.EPOCH), DoubleColumn.create(History.TRAIN_LOSS),
                DoubleColumn.create(History.TEST_ACCURACY), DoubleColumn.create(History.SECONDS),
                DoubleColumn.create(History.CUMULATIVE_SECONDS), DoubleColumn.create(SAMPLES_PER_SECOND));
        Device[] devices = settings.devices().toArray(new Device[0]);
        Model m = Model.newInstance(config.label(), devices[0]);
        try {
            m.setBlock(config.model().block());
            Optimizer sgd = Optimizer.sgd()
                    .setLearningRateTracker((Tracker) update -> (float) currentLearningRate)
                    .optMomentum((float) config.momentum())
                    .optWeightDecays((float) config.weightDecay())
                    .build();
            // DJL's multi-device training: one parameter copy per device, gradients summed in step().
            trainer = m.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(sgd).optDevices(devices));
            trainer.initialize(new Shape(1, config.model().inputs()));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        model = m;
        m.getBlock().getParameters().forEach(p -> parameters.add(p.getValue()));
        // One worker runs in the caller's thread: the baseline pays no hand-off cost.
        pool = settings.workers() > 1 ? Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "dropkit-worker");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Trains {@code epochs} more epochs (fewer when the training's stop-at target is reached); the table so far. */
    public Table train(int epochs) {
        for (int i = 0; i < epochs && !reachedTarget(); i++) {
            int epoch = history.rowCount() + 1;
            long start = System.nanoTime();
            double meanLoss = trainEpoch();
            double seconds = (System.nanoTime() - start) / 1e9;
            double testAcc = testAccuracy();
            double cumulative = seconds + (history.rowCount() == 0 ? 0
                    : history.doubleColumn(History.CUMULATIVE_SECONDS).get(history.rowCount() - 1));
            Row row = history.appendRow();
            row.setString(History.RUN, config.label());
            row.setInt(WORKERS, settings.workers());
            row.setString("devices", Devices.describe(settings.devices()));
            row.setInt("batch_size", config.batchSize());
            row.setDouble("lr", currentLearningRate);
            row.setInt(History.EPOCH, epoch);
            row.setDouble(History.TRAIN_LOSS, meanLoss);
            row.setDouble(History.TEST_ACCURACY, testAcc);
            row.setDouble(History.SECONDS, seconds);
            row.setDouble(History.CUMULATIVE_SECONDS, cumulative);
            row.setDouble(SAMPLES_PER_SECOND, data.trainSize() / seconds);
            if (config.progress()) {
                System.out.println(String.format(Locale.ROOT, "%s  %d worker%s  epoch %2d  loss %.4f  test %.2f%%  %.2f s",
                        config.label(), settings.workers(), settings.workers() == 1 ? "" : "s", epoch, meanLoss,
                        100 * testAcc, seconds));
            }
        }
        return history;
    }

    public Table history() {
        return history;
    }

    /**
     * The gradient of the mean loss over the batch ({@code x}, {@code y}) with respect to every parameter (in the
     * model's parameter order, flattened), computed by splitting the batch into {@code shards} parts on the worker
     * threads of this run and averaging; nothing is updated. On the first device only: this is the check that
     * splitting and averaging reproduce the whole batch's gradient.
     */
    public float[] gradients(NDArray x, NDArray y, int shards) {
        int n = Math.toIntExact(x.getShape().get(0));
        if (shards < 1 || shards > n) {
            throw new IllegalArgumentException("shard count " + shards + " is outside [1, " + n
                    + "]: each shard needs at least one example of the batch of " + n);
        }
        try (NDManager batch = data.manager().newSubManager()) {
            try (GradientCollector collector = trainer.newGradientCollector()) {
                runShards(collector, batch, x, y, shards, List.of(settings.devices().get(0)));
            }
            NDList flat = new NDList();
            for (Parameter p : parameters) {
                NDArray g = p.getArray().getGradient();
                g.attach(batch);
                flat.add(g.flatten());
            }
            float[] all = NDArrays.concat(flat).toFloatArray(); // a copy, taken before the gradients are cleared
            for (Parameter p : parameters) {
                // Nothing is stepped, so the accumulated gradient must be cleared by hand for the next call.
                JniUtils.zeroGrad((PtNDArray) p.getArray());
            }
            return all;
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        trainer.close();
        model.close();
    }

    private boolean reachedTarget() {
        return !Double.isNaN(config.stopAt()) && history.rowCount() > 0
                && history.doubleColumn(History.TEST_ACCURACY).get(history.rowCount() - 1) >= config.stopAt();
    }

    private double trainEpoch() {
        int n = data.trainSize();
        int batchSize = config.batchSize();
        try (NDManager epochManager = data.manager().newSubManager()) {
            NDArray order = epochManager.create(Shuffle.permutation(n, shuffle));
            NDArray x = data.trainX().get(epochManager, new NDIndex("{}", order));
            NDArray y = data.trainY().get(epochManager, new NDIndex("{}", order));
            double lossSum = 0;
            for (int from = 0; from < n; from += batchSize) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.util.concurrent.CancellationException(config.label() + ": training interrupted");
                }
                currentLearningRate = config.learningRate().at((double) step / stepsPerEpoch);
                int to = Math.min(n, from + batchSize);
                try (NDManager batchManager = epochManager.newSubManager()) {
                    NDIndex range = new NDIndex().addSliceDim(from, to);
                    NDArray xb = x.get(batchManager, range);
                    NDArray yb = y.get(batchManager, range);
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        // A last batch smaller than the worker count is split into fewer shards.
                        lossSum += runShards(collector, batchManager, xb, yb, Math.min(settings.workers(), to - from),
                                settings.devices());
                    }
                    trainer.step();
                }
                step++;
            }
            return lossSum / n;
        }
    }

    /**
     * Runs forward and backward of each shard, on the worker threads when there are several, inside the one open
     * collector; each shard's mean loss is weighted by its share of the batch so that the accumulated gradient is the
     * whole batch's mean-loss gradient. Returns the sum of the per-example losses.
     */
    private double runShards(GradientCollector collector, NDManager manager, NDArray x, NDArray y, int shards,
            List<Device> devices) {
        int n = Math.toIntExact(x.getShape().get(0));
        List<Callable<Double>> tasks = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            int from = (int) ((long) n * s / shards);
            int to = (int) ((long) n * (s + 1) / shards);
            Device device = devices.get(s % devices.size());
            tasks.add(() -> shardLoss(collector, manager, x, y, from, to, n, device));
        }
        if (pool == null || shards == 1) {
            double sum = 0;
            for (Callable<Double> task : tasks) {
                try {
                    sum += task.call();
                } catch (Exception e) {
                    throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
            return sum;
        }
        try {
            double sum = 0;
            for (Future<Double> f : pool.invokeAll(tasks)) {
                sum += f.get();
            }
            return sum;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException(config.label() + ": training interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private double shardLoss(GradientCollector collector, NDManager parent, NDArray x, NDArray y, int from, int to,
            int batchSize, Device device) {
        // Grad mode is per thread in PyTorch: the collector switched it on only in the thread that opened it.
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        try (NDManager shard = parent.newSubManager(device)) {
            NDIndex range = new NDIndex().addSliceDim(from, to);
            NDArray xs = x.get(shard, range).toDevice(device, false);
            NDArray ys = y.get(shard, range).toDevice(device, false);
            NDArray l = loss.evaluate(new NDList(ys), trainer.forward(new NDList(xs)));
            collector.backward(l.mul((float) (to - from) / batchSize));
            return (double) l.getFloat() * (to - from);
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    private double testAccuracy() {
        NDArray x = data.testX();
        NDArray y = data.testY();
        long n = x.getShape().get(0);
        long correct = 0;
        Device device = settings.devices().get(0);
        for (long from = 0; from < n; from += 4096) {
            try (NDManager chunk = data.manager().newSubManager()) {
                NDIndex range = new NDIndex().addSliceDim(from, Math.min(n, from + 4096));
                NDArray logits = trainer.evaluate(new NDList(x.get(chunk, range).toDevice(device, false))).head();
                NDArray predicted = logits.argMax(1).toDevice(Device.cpu(), false).toType(DataType.INT64, false);
                predicted.attach(chunk);
                correct += predicted.eq(y.get(chunk, range)).sum().getLong();
            }
        }
        return (double) correct / n;
    }
}
