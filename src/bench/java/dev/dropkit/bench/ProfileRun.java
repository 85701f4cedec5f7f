package dev.dropkit.bench;

import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import dev.dropkit.train.TrainingRun;
import java.util.Locale;

/**
 * One configuration of the seed model trained for a few epochs, to be profiled from outside (JFR:
 * {@code java -XX:StartFlightRecording=filename=x.jfr,settings=profile ... ProfileRun structured 6}; then
 * {@code src/bench/jfr-top.sh x.jfr}). Prints the training thread's CPU seconds per epoch.
 *
 * <pre>java -cp ... dev.dropkit.bench.ProfileRun [kind] [epochs] [seed]</pre>
 */
public final class ProfileRun {
    public static void main(String[] args) {
        String kind = args.length > 0 ? args[0] : "structured";
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        Env.threads(1);
        Mlp model = kind.equals("no-dropout")
                ? Mlp.seedModel().withDropout(0)
                : Mlp.seedModel().withDropoutKind(DropoutKind.parse(kind));
        Training t = Training.of(model)
                .sgd(0.1)
                .weightDecay(1e-4)
                .batchSize(128)
                .seed(seed)
                .progress(false);
        try (ImageData data = ImageData.builder("mnist").validation(0).build();
                TrainingRun run = t.start(data)) {
            for (int e = 0; e < epochs; e++) {
                History h = run.train(1);
                System.out.println(String.format(
                        Locale.ROOT,
                        "%s seed %d epoch %d: %.3f s wall, %.3f s cpu, test %.2f%%",
                        kind,
                        seed,
                        e + 1,
                        h.table().doubleColumn(History.SECONDS).get(e),
                        run.lastEpochCpuSeconds(),
                        100 * h.finalTestAccuracy()));
            }
        }
    }
}
