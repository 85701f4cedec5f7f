import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.Mlp;
import dev.dropkit.plot.BarChart;
import dev.dropkit.plot.LineChart;
import dev.dropkit.train.History;
import dev.dropkit.train.Training;
import java.nio.file.Files;
import java.nio.file.Path;
import tech.tablesaw.api.Table;

/**
 * Redraws the README's figures from a real run, in the charts' house style at twice the pixels:
 * notebooks/figures/01-test-accuracy.png and 01-accuracy-vs-time.png from notebook 01's two runs (the Keras example
 * with and without dropout on the whole of MNIST, same settings and seed), and bench.png from build/bench/results.csv
 * when `./run bench` has written it.
 *
 *   java -Djava.awt.headless=true -cp "target/dropkit.jar:target/lib/*" environment/figures/ReadmeFigures.java
 */
public class ReadmeFigures {
    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "notebooks/figures");
        Env.threads(1);
        try (ImageData mnist = ImageData.load("mnist")) {
            History withDropout = Training.of(Mlp.seedModel()).sgd(0.01).batchSize(128).epochs(10).seed(42)
                    .label("dropout 0.5").fit(mnist);
            History noDropout = Training.of(Mlp.seedModel().withDropout(0)).sgd(0.01).batchSize(128).epochs(10)
                    .seed(42).label("no dropout").fit(mnist);
            Table runs = withDropout.table().copy().append(noDropout.table());
            LineChart.of(runs, "epoch", "test_accuracy").by("run").title("MNIST test accuracy per epoch")
                    .scale(2).save(out.resolve("01-test-accuracy.png"));
            LineChart.of(runs, "cumulative_seconds", "train_accuracy", "test_accuracy").by("run")
                    .title("Accuracy against training time").size(820, 420).scale(2)
                    .save(out.resolve("01-accuracy-vs-time.png"));
        }
        Path bench = Path.of("build/bench/results.csv");
        if (Files.exists(bench)) {
            Table summary = Table.read().csv(bench.toString());
            BarChart.of(summary, "config", "median_s_per_epoch", "median_cpu_s").labels(true).size(1300, 500)
                    .rotateCategories(30).label("median_s_per_epoch", "Median seconds per epoch (wall)")
                    .label("median_cpu_s", "Median CPU seconds per epoch").title("Seconds per MNIST epoch")
                    .yLabel("Seconds per epoch").scale(2).save(out.resolve("bench.png"));
        }
        System.out.println("figures written to " + out);
    }
}
