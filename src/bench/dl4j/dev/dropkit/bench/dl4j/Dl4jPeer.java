package dev.dropkit.bench.dl4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Deeplearning4j peer of {@code ./run bench}, run in its own JVM (its class path never meets the toolkit's):
 * the seed model (784-128 ReLU, dropout 0.5 on the hidden units, 10 softmax), the toolkit's initialisation (He:
 * normal with variance 2/fan-in, zero biases), SGD lr 0.1 with an L2 term of 1e-4 on weights and biases (the
 * gradient gains 1e-4 * w, like DJL's and PyTorch's weight decay), batch 128, MNIST x/255 from the IDX files.
 * Same protocol as the PyTorch peer: "epoch" -> "wall_seconds cpu_seconds", "eval" -> test accuracy, "quit".
 * Threads: OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set by the caller.
 */
public final class Dl4jPeer {
    public static void main(String[] args) throws IOException {
        Path data = null;
        double dropout = 0.5;
        int batch = 128;
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--dropout" -> dropout = Double.parseDouble(args[++i]);
                case "--batch-size" -> batch = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> {
                    System.out.println("error unknown option " + args[i]);
                    return;
                }
            }
        }
        if (data == null) {
            System.out.println("error --data FOLDER is required (the MNIST IDX files)");
            return;
        }
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        INDArray x = images(data.resolve("train_data"));
        INDArray y = oneHot(data.resolve("train_labels"));
        INDArray tx = images(data.resolve("test_data"));
        int[] ty = labels(data.resolve("test_labels"));

        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(128).nOut(10)
                .activation(Activation.SOFTMAX);
        if (dropout > 0) {
            out.dropOut(1 - dropout); // DL4J: applied to the layer's input, given as the probability to KEEP
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.1))
                .l2(1e-4)
                .l2Bias(1e-4)
                .weightInit(WeightInit.RELU)
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(128).activation(Activation.RELU).build())
                .layer(out.build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet train = new DataSet(x, y);
        int n = (int) x.rows();
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        System.out.println("ready dl4j=1.0.0-M2.1 backend=" + Nd4j.getBackend().getClass().getSimpleName()
                + " blas=" + Nd4j.getBlasWrapper().getClass().getSimpleName()
                + " omp=" + System.getenv("OMP_NUM_THREADS"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long shuffleSeed = seed;
        for (String line; (line = in.readLine()) != null; ) {
            switch (line.trim()) {
                case "epoch" -> {
                    long wall = System.nanoTime();
                    long c = cpu.getCurrentThreadCpuTime();
                    train.shuffle(shuffleSeed++);
                    INDArray xs = train.getFeatures();
                    INDArray ys = train.getLabels();
                    for (int from = 0; from < n; from += batch) {
                        int to = Math.min(n, from + batch);
                        net.fit(xs.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                                ys.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()));
                    }
                    System.out.println(String.format(Locale.ROOT, "%.6f %.6f", (System.nanoTime() - wall) / 1e9,
                            (cpu.getCurrentThreadCpuTime() - c) / 1e9));
                }
                case "eval" -> {
                    INDArray predicted = net.output(tx, false).argMax(1);
                    int correct = 0;
                    for (int i = 0; i < ty.length; i++) {
                        correct += predicted.getInt(i) == ty[i] ? 1 : 0;
                    }
                    System.out.println(String.format(Locale.ROOT, "%.6f", (double) correct / ty.length));
                }
                case "quit" -> {
                    return;
                }
                default -> System.out.println("error unknown command " + line.trim());
            }
        }
    }

    /** (N, 784) floats in [0, 1] from an IDX image file. */
    static INDArray images(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        int dims = b.get(3);
        int count = b.getInt(4);
        int offset = 4 + 4 * dims;
        int features = (b.capacity() - offset) / count;
        float[] v = new float[count * features];
        for (int i = 0; i < v.length; i++) {
            v[i] = (b.get(offset + i) & 0xff) / 255f;
        }
        return Nd4j.create(v, new long[] {count, features}, 'c');
    }

    static int[] labels(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int[] labels = new int[bytes.length - 8];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = bytes[8 + i] & 0xff;
        }
        return labels;
    }

    static INDArray oneHot(Path file) throws IOException {
        int[] labels = labels(file);
        float[] v = new float[labels.length * 10];
        for (int i = 0; i < labels.length; i++) {
            v[i * 10 + labels[i]] = 1f;
        }
        return Nd4j.create(v, new long[] {labels.length, 10}, 'c');
    }
}
