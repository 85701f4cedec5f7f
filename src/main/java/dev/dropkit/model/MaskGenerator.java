package dev.dropkit.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.RandomUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Draws dropout masks in Java: each 64-bit draw of a {@link SplittableRandom} gives two 32-bit uniforms, each
 * compared with {@code (1 - p) * 2^32}, so one draw decides two units. This replaces the engine's
 * {@code bernoulli_}, which on CPU calls its generator once per element under a lock and costs more than the
 * layer's matrix product. The mask is written as floats {0, 1/(1-p)} straight into a tensor the engine owns.
 *
 * <p>Seeded from DJL's random source, which {@code Engine.setRandomSeed} (and so {@code Training.seed}) seeds:
 * the same seed gives the same sequence of masks.
 */
final class MaskGenerator {
    private SplittableRandom random;
    private float[] values = new float[0];

    /** Seeds from DJL's random source at first use (after the engine seed is set). */
    private SplittableRandom random() {
        if (random == null) {
            Engine.getInstance();
            random = new SplittableRandom(RandomUtils.RANDOM.nextLong());
        }
        return random;
    }

    /** Restarts the mask sequence from {@code seed}. */
    void reseed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** Threshold on an unsigned 32-bit uniform: keep when {@code u < threshold}, i.e. with probability 1 - p. */
    static long threshold(float rate) {
        return Math.round((1.0 - rate) * 4294967296.0);
    }

    /**
     * A new float32 tensor of {@code shape} in the engine's own memory holding the mask: each value is {@code scale}
     * with probability {@code 1 - rate}, else 0. The values are written from Java straight into the tensor's
     * memory, so there is no second copy, and autograd may keep the tensor as long as it likes: the engine owns it
     * (a tensor over a Java buffer would be freed or refilled under it).
     */
    NDArray tensor(NDManager manager, Shape shape, float rate, float scale) {
        int n = Math.toIntExact(shape.size());
        NDArray mask = manager.create(shape, DataType.FLOAT32); // uninitialised engine memory
        ByteBuffer memory = mask.getDevice().equals(Device.cpu()) ? mask.toByteBuffer(true) : null;
        if (memory == null || !memory.isDirect() || memory.capacity() != 4 * n) {
            mask.set(FloatBuffer.wrap(fill(n, rate, scale), 0, n)); // not aliased (e.g. a GPU): copy in
            return mask;
        }
        // CPU: the direct buffer is the tensor's own memory (contiguous, just made), so this writes the tensor
        memory.order(ByteOrder.nativeOrder()).asFloatBuffer().put(fill(n, rate, scale), 0, n);
        return mask;
    }

    /** The mask values in the reused Java array (first {@code n} entries). */
    private float[] fill(int n, float rate, float scale) {
        if (values.length < n) {
            values = new float[n];
        }
        SplittableRandom r = random();
        long threshold = threshold(rate);
        float[] v = values;
        int i = 0;
        // Branch-free: (u - threshold) is negative exactly when u < threshold, so its sign bit is the keep bit. A
        // branch here is mispredicted half the time at p = 0.5 and made the loop ~5x slower (measured).
        for (; i + 1 < n; i += 2) {
            long bits = r.nextLong();
            v[i] = scale * (float) (((bits >>> 32) - threshold) >>> 63);
            v[i + 1] = scale * (float) (((bits & 0xFFFFFFFFL) - threshold) >>> 63);
        }
        if (i < n) {
            v[i] = scale * (float) (((r.nextLong() >>> 32) - threshold) >>> 63);
        }
        return v;
    }

    /** {@code n} booleans, each true (kept) with probability {@code 1 - rate}. */
    boolean[] kept(int n, float rate) {
        SplittableRandom r = random();
        long threshold = threshold(rate);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            keep[i] = (r.nextLong() >>> 32) < threshold;
        }
        return keep;
    }
}
