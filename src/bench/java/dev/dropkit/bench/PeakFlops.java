package dev.dropkit.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.dropkit.Env;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * This machine's practical per-core peak for the seed model's kind of product: DJL {@code matMul} of a 512x784 by a
 * 784x128 float matrix on one intra-op thread, timed in training-thread CPU time (so other load on the machine
 * does not lower it), best of several rounds. The arithmetic floor of an epoch divides by this.
 */
final class PeakFlops {
    private PeakFlops() {}

    static double perCoreGflops() {
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        int before = Env.threads();
        Env.threads(1);
        try (NDManager m = Env.engine().newBaseManager()) {
            NDArray a = m.randomUniform(-1, 1, new Shape(512, 784));
            NDArray b = m.randomUniform(-1, 1, new Shape(784, 128));
            double flop = 2.0 * 512 * 784 * 128;
            double best = 0;
            for (int round = 0; round < 7; round++) {
                int reps = 100;
                long t0 = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < reps; i++) {
                    a.matMul(b).close();
                }
                double seconds = (cpu.getCurrentThreadCpuTime() - t0) / 1e9;
                if (round > 1) { // the first rounds warm up
                    best = Math.max(best, flop * reps / seconds / 1e9);
                }
            }
            return best;
        } finally {
            Env.threads(before);
        }
    }
}
