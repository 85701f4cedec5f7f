package dev.dropkit.experiment;

import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.Training;
import dev.dropkit.train.WeightDecay;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One trial's complete settings as plain data (numbers and text only, no closures), so that it can travel to a
 * machine that knows nothing of the notebook or the CLI that made it: {@link #of(Training)} describes a
 * {@link Training}, {@link #training()} makes it again. Only settings that are values can travel: a constant
 * learning rate, the model's own dropout rates (no schedule), CPU training.
 *
 * @param hidden the hidden layers as {@code units:dropout} pairs joined by commas, e.g. {@code 128:0.5}
 * @param stopAt the validation-accuracy target, NaN for none
 */
public record TrialSpec(
        String label,
        long seed,
        int inputs,
        String hidden,
        int outputs,
        String dropoutKind,
        double lr,
        double momentum,
        double weightDecay,
        String weightDecayKind,
        int batchSize,
        int epochs,
        double stopAt,
        int workers)
        implements Serializable {

    /** The settings of {@code t} as data; a one-line error names any setting that cannot travel as a value. */
    public static TrialSpec of(Training t) {
        double lr = t.learningRate().at(0);
        for (double epoch : new double[] {0.5, 1, 2, 3, 5, 10, 100, t.epochs()}) {
            if (t.learningRate().at(epoch) != lr) {
                throw new IllegalArgumentException(t.label() + " has a learning-rate schedule: a cluster backend "
                        + "ships settings as values and takes constant rates only; use the local backend for it");
            }
        }
        if (t.dropout() != null) {
            throw new IllegalArgumentException(t.label() + " has a dropout schedule: a cluster backend ships "
                    + "settings as values and takes the model's fixed rates only; use the local backend for it");
        }
        if (!t.device().equals(ai.djl.Device.cpu()) || t.devices().size() != 1) {
            throw new IllegalArgumentException(t.label() + " trains on " + t.devices() + ": a cluster backend "
                    + "trains on each executor's CPU; use the local backend for other devices");
        }
        List<String> layers = new ArrayList<>();
        for (Mlp.Hidden h : t.model().hidden()) {
            layers.add(h.units() + ":" + h.dropout());
        }
        Mlp m = t.model();
        return new TrialSpec(
                t.label(),
                t.seed(),
                m.inputs(),
                String.join(",", layers),
                m.outputs(),
                m.dropoutKind().name(),
                lr,
                t.momentum(),
                t.weightDecay(),
                t.weightDecayKind().name(),
                t.batchSize(),
                t.epochs(),
                t.stopAt(),
                t.workers());
    }

    /** The {@link Training} these settings describe (per-epoch progress lines off). */
    public Training training() {
        Mlp.Builder b = Mlp.builder().inputs(inputs).outputs(outputs).dropoutKind(DropoutKind.valueOf(dropoutKind));
        if (!hidden.isEmpty()) {
            for (String layer : hidden.split(",")) {
                String[] parts = layer.split(":");
                b.hidden(Integer.parseInt(parts[0]), Double.parseDouble(parts[1]));
            }
        }
        Training t = Training.of(b.build())
                .sgd(lr)
                .momentum(momentum)
                .weightDecay(weightDecay, WeightDecay.valueOf(weightDecayKind))
                .batchSize(batchSize)
                .epochs(epochs)
                .seed(seed)
                .label(label)
                .progress(false)
                .workers(workers);
        return Double.isNaN(stopAt) ? t : t.stopAt(stopAt);
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%s (seed %d): %d-[%s]-%d %s, lr %s, momentum %s, wd %s, batch %d, %d " + "epochs",
                label,
                seed,
                inputs,
                hidden,
                outputs,
                dropoutKind,
                lr,
                momentum,
                weightDecay,
                batchSize,
                epochs);
    }
}
