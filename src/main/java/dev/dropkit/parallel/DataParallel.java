package dev.dropkit.parallel;

import ai.djl.Device;
import dev.dropkit.data.ImageData;
import dev.dropkit.train.Training;
import dev.dropkit.train.WeightDecay;
import java.util.HashSet;
import java.util.List;
import tech.tablesaw.api.Table;

/**
 * Data-parallel minibatch SGD: every batch is split into {@code workers} shards, each worker computes the loss and
 * gradient of its shard, and the gradients are averaged (each shard's mean loss is weighted by its share of the
 * batch) before one optimizer step. The update is therefore the single-worker update — only the work is spread.
 *
 * <p>On a CPU the workers are threads sharing one model and one open {@code GradientCollector} (DJL allows only one
 * at a time); PyTorch accumulates the shards' gradients into the same parameters. With several GPUs
 * ({@link Devices#cpuOrGpus}) each shard runs on its own GPU through DJL's multi-device parameter store, which sums
 * the per-device gradients in {@code Trainer.step()}.
 *
 * <pre>{@code
 * Training sgd = Training.of(Mlp.seedModel()).sgd(0.1).batchSize(512).epochs(5);
 * Table history = DataParallel.of(sgd).workers(2).devices(Devices.cpuOrGpus(2)).fit(mnist);
 * }</pre>
 *
 * <p>The settings come from a {@link Training}: model, learning-rate schedule, momentum, weight decay (in the
 * optimizer, {@link WeightDecay#L2_GRADIENT}), batch size, epochs, seed, stop-at target, label and progress lines.
 */
public final class DataParallel {
    private final Training training;
    private int workers = 1;
    private List<Device> devices = List.of(Device.cpu());

    private DataParallel(Training training) {
        this.training = training;
    }

    /** Data-parallel training with the settings of {@code training}, one worker on the CPU until told otherwise. */
    public static DataParallel of(Training training) {
        if (training.dropout() != null) {
            throw new IllegalArgumentException("a dropout schedule is not supported by data-parallel training: "
                    + "give the model a fixed dropout rate instead");
        }
        if (training.weightDecay() > 0 && training.weightDecayKind() != WeightDecay.L2_GRADIENT) {
            throw new IllegalArgumentException("weight decay kind " + training.weightDecayKind()
                    + " is not supported by data-parallel training: use WeightDecay.L2_GRADIENT (the optimizer's)");
        }
        return new DataParallel(training);
    }

    /** Number of shards each batch is split into, from 1 to the batch size. */
    public DataParallel workers(int workers) {
        if (workers < 1 || workers > training.batchSize()) {
            throw new IllegalArgumentException("worker count " + workers + " is outside [1, "
                    + training.batchSize() + "]: each worker needs at least one example of the batch of "
                    + training.batchSize());
        }
        this.workers = workers;
        return this;
    }

    /** The devices to spread the shards over (one CPU, or distinct GPUs; see {@link Devices}). */
    public DataParallel devices(List<Device> devices) {
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

    public Training training() {
        return training;
    }

    public int workers() {
        return workers;
    }

    public List<Device> devices() {
        return devices;
    }

    /** A fresh model ready to train on {@code data}; close it to free the model and the worker threads. */
    public DataParallelRun start(ImageData data) {
        return new DataParallelRun(this, data);
    }

    /** Trains a fresh model for the training's epochs and returns the per-epoch table. */
    public Table fit(ImageData data) {
        try (DataParallelRun run = start(data)) {
            return run.train(training.epochs());
        }
    }
}
