package dev.dropkit.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
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
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Where a training step's time goes: the toolkit loop's step (batch from a direct buffer, forward, loss, backward,
 * optimizer step, loss bookkeeping) re-enacted with per-phase clocks, for each dropout kind, configurations taking
 * turns epoch by epoch. Prints median milliseconds per epoch of each phase (training thread CPU time for the whole
 * epoch beside it). Outside the library on purpose: it measures, it does not train anything the toolkit uses.
 *
 * <pre>java -cp ... dev.dropkit.bench.StepProfile [epochs] [kinds...]</pre>
 */
public final class StepProfile {
    /**
     * A prototype of a loop strategy for structured dropout (not in the library): the kept rows and columns are
     * gathered once per step into small leaf tensors, autograd differentiates only those, and the optimizer
     * updates only them (one fused SGD update each, written back with an indexed copy) after decaying the full
     * matrices by (1 - lr * wd), which equals SGD with weight decay on every weight. No full-size gradient is
     * made, scattered into, updated or zeroed.
     */
    static final String COMPACT = "structured-compact";
    /**
     * No dropout with a prototype optimizer step (not in the library): each parameter's gradient tensor is fetched
     * once and kept (autograd accumulates into the same tensor, and the update zeroes it in place), and the step is
     * one fused SGD update and one zeroing per parameter, without DJL's per-parameter bookkeeping.
     */
    static final String DIRECT = "no-dropout-direct-step";

    static final String[] PHASES = {"batch", "forward", "loss", "backward", "step", "bookkeeping"};
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        List<String> kinds = args.length > 1
                ? List.of(args).subList(1, args.length)
                : List.of("no-dropout", "standard", "fast", "structured");
        Env.threads(1);
        try (ImageData data = ImageData.builder("mnist").validation(0).build()) {
            List<Profiled> runs = new ArrayList<>();
            for (String k : kinds) {
                runs.add(new Profiled(k, data));
            }
            for (int e = 0; e < epochs; e++) {
                for (Profiled p : runs) {
                    p.epoch();
                }
            }
            System.out.println(String.format(
                    Locale.ROOT,
                    "%-22s %7s %8s %8s  %s",
                    "kind",
                    "test",
                    "cpu_ms",
                    "wall_ms",
                    String.join("  ", PHASES) + "   (median ms per epoch over the last " + (epochs - 2) + " epochs)"));
            for (Profiled p : runs) {
                System.out.println(p.report(2));
                p.close();
            }
        }
    }

    static final class Profiled implements AutoCloseable {
        final String kind;
        final ImageData data;
        final Model model;
        final Trainer trainer;
        final Loss loss = Loss.softmaxCrossEntropyLoss();
        final ByteBuffer features;
        final long[] labels;
        final ByteBuffer xBuf = ByteBuffer.allocateDirect(128 * 784 * 4).order(ByteOrder.nativeOrder());
        final ByteBuffer yBuf = ByteBuffer.allocateDirect(128 * 8).order(ByteOrder.nativeOrder());
        final Random shuffle = new Random(42);
        final List<double[]> phaseMs = new ArrayList<>();
        final List<Double> cpuMs = new ArrayList<>();
        final List<Double> wallMs = new ArrayList<>();
        final java.util.SplittableRandom masks = new java.util.SplittableRandom(42);

        Profiled(String kind, ImageData data) {
            this.kind = kind;
            this.data = data;
            Env.engine().setRandomSeed(42);
            Mlp mlp = kind.equals("no-dropout") || kind.equals(DIRECT)
                    ? Mlp.seedModel().withDropout(0)
                    : kind.equals(COMPACT)
                            ? Mlp.seedModel().withDropout(0) // only its initialised weights are used
                            : Mlp.seedModel().withDropoutKind(DropoutKind.parse(kind));
            model = Model.newInstance(kind);
            model.setBlock(mlp.block());
            trainer = model.newTrainer(new DefaultTrainingConfig(loss)
                    .optOptimizer(Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.1f))
                            .optWeightDecays(1e-4f)
                            .build()));
            trainer.initialize(new Shape(1, 784));
            features = data.trainX().toByteBuffer(true).order(ByteOrder.nativeOrder());
            labels = data.trainY().toLongArray();
        }

        void epoch() {
            int n = data.trainSize();
            long[] order = new long[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                long t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            long[] t = new long[PHASES.length];
            long cpu0 = CPU.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            try (NDManager epochManager = data.manager().newSubManager()) {
                NDArray lossSum = epochManager.zeros(new Shape(), DataType.FLOAT32);
                for (int from = 0; from < n; from += 128) {
                    int to = Math.min(n, from + 128);
                    try (NDManager bm = epochManager.newSubManager()) {
                        long c0 = CPU.getCurrentThreadCpuTime();
                        xBuf.clear();
                        yBuf.clear();
                        for (int i = from; i < to; i++) {
                            int row = (int) order[i];
                            xBuf.put(xBuf.position(), features, row * 3136, 3136);
                            xBuf.position(xBuf.position() + 3136);
                            yBuf.putLong(labels[row]);
                        }
                        xBuf.flip();
                        yBuf.flip();
                        NDList x = new NDList(bm.create(xBuf, new Shape(to - from, 784), DataType.FLOAT32));
                        NDList y = new NDList(bm.create(yBuf, new Shape(to - from), DataType.INT64));
                        long c1 = CPU.getCurrentThreadCpuTime();
                        NDArray l;
                        long c2;
                        long c3;
                        long c4;
                        long c5;
                        if (kind.equals(COMPACT)) {
                            long[] t5 = new long[4];
                            l = compactStep(bm, x, y, t5);
                            c2 = t5[0];
                            c3 = t5[1];
                            c4 = t5[2];
                            c5 = t5[3];
                        } else {
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList out = trainer.forward(x);
                                c2 = CPU.getCurrentThreadCpuTime();
                                l = loss.evaluate(y, out);
                                c3 = CPU.getCurrentThreadCpuTime();
                                gc.backward(l);
                            }
                            c4 = CPU.getCurrentThreadCpuTime();
                            if (kind.equals(DIRECT)) {
                                directStep();
                            } else {
                                trainer.step();
                            }
                            c5 = CPU.getCurrentThreadCpuTime();
                        }
                        lossSum.addi(l.mul(to - from));
                        long c6 = CPU.getCurrentThreadCpuTime();
                        t[0] += c1 - c0;
                        t[1] += c2 - c1;
                        t[2] += c3 - c2;
                        t[3] += c4 - c3;
                        t[4] += c5 - c4;
                        t[5] += c6 - c5;
                    }
                }
                lossSum.getFloat();
            }
            cpuMs.add((CPU.getCurrentThreadCpuTime() - cpu0) / 1e6);
            wallMs.add((System.nanoTime() - wall0) / 1e6);
            double[] ms = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                ms[i] = t[i] / 1e6;
            }
            phaseMs.add(ms);
        }

        private ai.djl.pytorch.engine.PtNDArray[] weights;
        private ai.djl.pytorch.engine.PtNDArray[] grads;

        void directStep() {
            if (weights == null) {
                var params = model.getBlock().getParameters();
                weights = new ai.djl.pytorch.engine.PtNDArray[params.size()];
                grads = new ai.djl.pytorch.engine.PtNDArray[params.size()];
                for (int i = 0; i < params.size(); i++) {
                    weights[i] = (ai.djl.pytorch.engine.PtNDArray)
                            params.get(i).getValue().getArray();
                    grads[i] = (ai.djl.pytorch.engine.PtNDArray) weights[i].getGradient();
                }
            }
            for (int i = 0; i < weights.length; i++) {
                ai.djl.pytorch.jni.JniUtils.sgdUpdate(weights[i], grads[i], null, 0.1f, 1e-4f, 1f, -1f, 0f);
                ai.djl.pytorch.jni.JniUtils.zeroGrad(weights[i]);
            }
        }

        /** One step of the compact strategy; fills the clock readings after forward, loss, backward and update. */
        NDArray compactStep(NDManager bm, NDList x, NDList y, long[] clocks) {
            var params = model.getBlock().getParameters();
            NDArray w1 = params.get(0).getValue().getArray();
            NDArray b1 = params.get(1).getValue().getArray();
            NDArray w2 = params.get(2).getValue().getArray();
            NDArray b2 = params.get(3).getValue().getArray();
            long[] kept = new long[128];
            int count = 0;
            for (int i = 0; i < 128; i++) {
                if ((masks.nextLong() >>> 63) == 0) {
                    kept[count++] = i;
                }
            }
            NDArray idx;
            try (NDArray javaBacked = bm.create(java.util.Arrays.copyOf(kept, Math.max(1, count)))) {
                idx = javaBacked.duplicate();
            }
            NDArray w1k = w1.get(bm, new ai.djl.ndarray.index.NDIndex("{}", idx));
            NDArray b1k = b1.get(bm, new ai.djl.ndarray.index.NDIndex("{}", idx));
            NDArray w2k = w2.get(bm, new ai.djl.ndarray.index.NDIndex(":, {}", idx));
            NDArray scale = bm.full(new Shape(), 2f);
            for (NDArray leaf : new NDArray[] {w1k, b1k, w2k}) {
                leaf.setRequiresGradient(true);
            }
            NDArray l;
            try (GradientCollector gc = Env.engine().newGradientCollector()) {
                NDArray h = ai.djl.nn.Activation.relu(
                        ai.djl.nn.core.Linear.linear(x.head(), w1k, b1k).head());
                NDArray out =
                        ai.djl.nn.core.Linear.linear(h, w2k.mul(scale), b2).head();
                clocks[0] = CPU.getCurrentThreadCpuTime();
                l = loss.evaluate(y, new NDList(out));
                clocks[1] = CPU.getCurrentThreadCpuTime();
                gc.backward(l);
            }
            clocks[2] = CPU.getCurrentThreadCpuTime();
            float lr = 0.1f;
            float wd = 1e-4f;
            for (NDArray leaf : new NDArray[] {w1k, b1k, w2k}) {
                ai.djl.pytorch.jni.JniUtils.sgdUpdate(
                        (ai.djl.pytorch.engine.PtNDArray) leaf,
                        (ai.djl.pytorch.engine.PtNDArray) leaf.getGradient(),
                        null,
                        lr,
                        wd,
                        1f,
                        -1f,
                        0f);
            }
            ai.djl.pytorch.jni.JniUtils.sgdUpdate(
                    (ai.djl.pytorch.engine.PtNDArray) b2,
                    (ai.djl.pytorch.engine.PtNDArray) b2.getGradient(),
                    null,
                    lr,
                    wd,
                    1f,
                    -1f,
                    0f);
            ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) b2);
            float decay = 1 - lr * wd;
            w1.muli(decay);
            b1.muli(decay);
            w2.muli(decay);
            w1.set(new ai.djl.ndarray.index.NDIndex("{}", idx), w1k);
            b1.set(new ai.djl.ndarray.index.NDIndex("{}", idx), b1k);
            w2.set(new ai.djl.ndarray.index.NDIndex(":, {}", idx), w2k);
            clocks[3] = CPU.getCurrentThreadCpuTime();
            return l;
        }

        String report(int skip) {
            StringBuilder s = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%-22s %6.2f%% %8.1f %8.1f ",
                    kind,
                    100 * testAccuracy(),
                    median(cpuMs.subList(skip, cpuMs.size())),
                    median(wallMs.subList(skip, wallMs.size()))));
            for (int p = 0; p < PHASES.length; p++) {
                List<Double> v = new ArrayList<>();
                for (double[] ms : phaseMs.subList(skip, phaseMs.size())) {
                    v.add(ms[p]);
                }
                s.append(String.format(Locale.ROOT, " %s %.1f", PHASES[p], median(v)));
            }
            return s.toString();
        }

        double testAccuracy() {
            try (NDManager m = data.manager().newSubManager()) {
                NDArray x = data.testX().get(m, new ai.djl.ndarray.index.NDIndex(":"));
                NDArray logits = trainer.evaluate(new NDList(x)).head();
                return logits.argMax(1).eq(data.testY()).sum().getLong() / (double) data.testSize();
            }
        }

        static double median(List<Double> v) {
            List<Double> s = new ArrayList<>(v);
            s.sort(null);
            int m = s.size() / 2;
            return s.size() % 2 == 1 ? s.get(m) : (s.get(m - 1) + s.get(m)) / 2;
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }
}
