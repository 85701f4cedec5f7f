package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.dropkit.Env;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The first layer of the seed model with structured dropout, forward and backward, by the way the kept rows of the
 * weight are taken: advanced indexing (today), {@code embedding} (whose backward adds rows instead of scattering
 * elements), and the dense product for reference. Microseconds of training-thread CPU time per step (median of
 * rounds), batch 128, 784 inputs, 128 units, p = 0.5.
 */
public final class GatherProfile {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        Env.threads(1);
        String[] variants = {"dense", "index", "embedding", "index-select-free"};
        double[][] us = new double[variants.length][7];
        try (NDManager m = Env.engine().newBaseManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(128, 784));
            NDArray w = m.randomNormal(0, 0.05f, new Shape(128, 784), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray b = m.zeros(new Shape(128));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            SplittableRandom r = new SplittableRandom(1);
            for (int round = 0; round < 7; round++) {
                for (int v = 0; v < variants.length; v++) {
                    long t0 = CPU.getCurrentThreadCpuTime();
                    for (int s = 0; s < steps; s++) {
                        long[] kept = r.longs(128, 0, 2).toArray();
                        int c = 0;
                        for (int i = 0; i < 128; i++) {
                            if (kept[i] == 1) {
                                kept[c++] = i;
                            }
                        }
                        long[] k = java.util.Arrays.copyOf(kept, c);
                        try (NDManager bm = m.newSubManager();
                                GradientCollector gc = Env.engine().newGradientCollector()) {
                            NDArray h;
                            switch (variants[v]) {
                                case "dense" -> h = Linear.linear(x, w, b).head();
                                case "index" -> {
                                    NDArray idx = bm.create(k);
                                    h = Linear.linear(
                                                    x,
                                                    w.get(bm, new NDIndex("{}", idx)),
                                                    b.get(bm, new NDIndex("{}", idx)))
                                            .head();
                                }
                                case "embedding" -> {
                                    PtNDArray idx = (PtNDArray) bm.create(k);
                                    NDArray wk = JniUtils.embedding(idx, (PtNDArray) w, false);
                                    NDArray bk = JniUtils.embedding(idx, (PtNDArray) b.reshape(128, 1), false)
                                            .reshape(-1);
                                    h = Linear.linear(x, wk, bk).head();
                                }
                                default -> { // the product of the kept rows alone, no gather: the floor
                                    NDArray wk = w.get(bm, new NDIndex("0:{}", c));
                                    h = Linear.linear(x, wk, b.get(bm, new NDIndex("0:{}", c)))
                                            .head();
                                }
                            }
                            h.attach(bm);
                            NDArray loss = h.sum();
                            loss.attach(bm);
                            gc.backward(loss);
                        }
                        w.getGradient().subi(w.getGradient());
                        b.getGradient().subi(b.getGradient());
                    }
                    us[v][round] = (CPU.getCurrentThreadCpuTime() - t0) / 1e3 / steps;
                }
            }
        }
        for (int v = 0; v < variants.length; v++) {
            double[] s = us[v].clone();
            java.util.Arrays.sort(s);
            System.out.println(
                    String.format(Locale.ROOT, "%-18s %7.1f us per step (median of 7 rounds)", variants[v], s[3]));
        }
    }
}
