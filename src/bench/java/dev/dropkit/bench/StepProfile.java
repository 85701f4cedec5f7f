package dev.dropkit.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.dropkit.Env;
import dev.dropkit.data.ImageData;
import dev.dropkit.model.CompactSlice;
import dev.dropkit.model.CompactSlicing;
import dev.dropkit.model.DropoutKind;
import dev.dropkit.model.Mlp;
import dev.dropkit.train.SgdStep;
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
 * epoch beside it). It uses the library's pieces (the model's blocks, the loop's {@link SgdStep} and the
 * structured block's {@link CompactSlicing}) and only adds the clocks; the loop itself is {@code TrainingRun}.
 *
 * <p>Kinds: {@code no-dropout}, {@code standard}, {@code fast}, {@code structured} (slices' gradients scattered
 * into full-size gradients, every weight updated), {@code structured-compact} (the loop's compact steps: only the
 * kept rows and columns are copied out, differentiated, and the weights moved by their gradients). SGD lr 0.1, weight decay 1e-4 of
 * kind L2_GRADIENT, batch 128, one thread: the bench's settings.
 *
 * <pre>java -cp ... dev.dropkit.bench.StepProfile [epochs] [kinds...]</pre>
 */
public final class StepProfile {
    /** Structured dropout trained by the loop's compact steps ({@link CompactSlicing}). */
    static final String COMPACT = "structured-compact";

    static final String[] PHASES = {"batch", "forward", "loss", "backward", "step", "bookkeeping"};
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final float LR = 0.1f;
    private static final float WEIGHT_DECAY = 1e-4f;

    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        List<String> kinds = args.length > 1
                ? List.of(args).subList(1, args.length)
                : List.of("no-dropout", "standard", "fast", "structured", COMPACT);
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
        final SgdStep sgd;
        final CompactSlicing compact; // null: not the compact kind
        final Loss loss = Loss.softmaxCrossEntropyLoss();
        final ByteBuffer features;
        final long[] labels;
        final ByteBuffer xBuf = ByteBuffer.allocateDirect(128 * 784 * 4).order(ByteOrder.nativeOrder());
        final ByteBuffer yBuf = ByteBuffer.allocateDirect(128 * 8).order(ByteOrder.nativeOrder());
        final Random shuffle = new Random(42);
        final List<double[]> phaseMs = new ArrayList<>();
        final List<Double> cpuMs = new ArrayList<>();
        final List<Double> wallMs = new ArrayList<>();

        Profiled(String kind, ImageData data) {
            this.kind = kind;
            this.data = data;
            Env.engine().setRandomSeed(42);
            Mlp mlp = kind.equals("no-dropout")
                    ? Mlp.seedModel().withDropout(0)
                    : Mlp.seedModel().withDropoutKind(DropoutKind.parse(kind.equals(COMPACT) ? "structured" : kind));
            model = Model.newInstance(kind);
            model.setBlock(mlp.block());
            trainer = model.newTrainer(new DefaultTrainingConfig(loss)); // forward and initialisation only
            trainer.initialize(new Shape(1, 784));
            List<NDArray> weights = new ArrayList<>();
            model.getBlock()
                    .getParameters()
                    .forEach(p -> weights.add(p.getValue().getArray()));
            boolean[] decays = new boolean[weights.size()];
            java.util.Arrays.fill(decays, true);
            sgd = new SgdStep(weights, decays, 0, data.manager());
            compact = kind.equals(COMPACT) ? find(model.getBlock()) : null;
            features = data.trainX().toByteBuffer(true).order(ByteOrder.nativeOrder());
            labels = data.trainY().toLongArray();
        }

        private static CompactSlicing find(Block block) {
            if (block instanceof CompactSlicing c) {
                return c;
            }
            for (var child : block.getChildren().values()) {
                CompactSlicing c = find(child);
                if (c != null) {
                    return c;
                }
            }
            throw new IllegalStateException(block + " has no block that takes compact steps");
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
                        List<CompactSlice> slices = List.of();
                        NDArray l;
                        long c2;
                        long c3;
                        boolean recording = Env.gradMode(true);
                        try {
                            if (compact != null) {
                                compact.gatherNextStepInto(bm);
                            }
                            NDList out = trainer.forward(x);
                            if (compact != null) {
                                slices = compact.takeSlices();
                            }
                            c2 = CPU.getCurrentThreadCpuTime();
                            l = loss.evaluate(y, out);
                            c3 = CPU.getCurrentThreadCpuTime();
                            Env.backward(l);
                        } finally {
                            Env.gradMode(recording);
                        }
                        long c4 = CPU.getCurrentThreadCpuTime();
                        sgd.apply(LR, WEIGHT_DECAY, slices);
                        long c5 = CPU.getCurrentThreadCpuTime();
                        lossSum.addi(l.stopGradient().mul(to - from));
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
            sgd.close();
            trainer.close();
            model.close();
        }
    }
}
