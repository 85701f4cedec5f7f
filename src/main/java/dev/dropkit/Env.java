package dev.dropkit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Where the toolkit keeps its files and how it starts the engine. Every entry point goes through {@link #engine()}
 * so that DJL never probes the network (only package registries are reachable) and always finds its native library
 * in the same cache.
 *
 * <p>This is also the one class that touches the PyTorch engine's own classes ({@code JniUtils}, {@code PtNDArray}):
 * thread counts, the engine's random generator, and the per-thread gradient path below. DJL's
 * {@code GradientCollector} allows one collector per JVM at a time (a global flag), but PyTorch's grad mode is per
 * thread and its CPU autograd runs backward in the calling thread; {@link #gradMode(boolean)} and
 * {@link #backward(NDArray)} use that directly, so several trainings (or the shards of one batch) can compute
 * gradients in several threads at the same time.
 */
public final class Env {
    /** Intra-op threads when {@code DROPKIT_THREADS} is not set (see {@link #start()} for why 1). */
    public static final int DEFAULT_THREADS = 1;

    private static volatile Engine engine;

    /**
     * Held while seeding the engine's global random generator and drawing from it (parameter initialisation, the
     * engine's dropout operator), so that runs in several threads never draw from each other's seeding.
     */
    public static final Object ENGINE_GENERATOR = new Object();

    private Env() {}

    /** {@code $DROPKIT_HOME}, default {@code ~/.cache/dropkit}: kernel, DJL cache and data live here, not in git. */
    public static Path home() {
        String home = System.getenv("DROPKIT_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("dropkit");
    }

    /** {@code $DROPKIT_DATA}, default {@code $DROPKIT_HOME/data}; one sub-folder per data set. */
    public static Path dataDir() {
        return dataDir(System.getenv("DROPKIT_DATA"));
    }

    /** The data folder named by a {@code DROPKIT_DATA} value: when set, it must be an existing folder. */
    static Path dataDir(String data) {
        if (data == null || data.isBlank()) {
            return home().resolve("data");
        }
        if (!java.nio.file.Files.isDirectory(Path.of(data))) {
            throw new IllegalArgumentException("DROPKIT_DATA=" + data + " is not a folder: point it at the folder "
                    + "holding mnist/ and fashion-mnist/ (./run setup fills it), or unset it");
        }
        return Path.of(data);
    }

    /** A {@code DROPKIT_THREADS} value, checked: a whole number of threads from 1 to 4x the cores. */
    static int threadsSetting(String value) {
        int cores = Runtime.getRuntime().availableProcessors();
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1 && n <= 4 * cores) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("DROPKIT_THREADS='" + value + "' is not a thread count: set a whole "
                + "number from 1 to " + cores + " (the cores), or unset it for " + DEFAULT_THREADS);
    }

    /** The PyTorch engine, started offline with a fixed cache folder (set up once per JVM). */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (Env.class) {
                if (engine == null) {
                    engine = start();
                }
                e = engine;
            }
        }
        return e;
    }

    private static Engine start() {
        if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", home().resolve("djl").toString());
        }
        String threads = System.getenv("DROPKIT_THREADS");
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            // Default 1 (measured, ./run bench): for this model's small products a second intra-op thread gains
            // little, and on a busy 2-core machine OpenMP's spin-waiting made 2-thread epochs 5-20x slower.
            System.setProperty(
                    "ai.djl.pytorch.num_threads",
                    String.valueOf(threads != null && !threads.isBlank() ? threadsSetting(threads) : DEFAULT_THREADS));
        }
        // Notebook kernels load our jars through a child class loader; DJL finds engines through the context one.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Env.class.getClassLoader());
        try {
            return Engine.getEngine("PyTorch");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Intra-op threads the engine uses for one operator (PyTorch's {@code set_num_threads}). */
    public static int threads() {
        engine();
        return JniUtils.getNumThreads();
    }

    /** Sets the engine's intra-op thread count for this JVM. */
    public static void threads(int n) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (n < 1 || n > 4 * cores) {
            throw new IllegalArgumentException("thread count " + n + " is outside [1, " + 4 * cores
                    + "]: use at most the number of cores (" + cores + ")");
        }
        engine();
        JniUtils.setNumThreads(n);
    }

    /**
     * Switches gradient recording on or off for the calling thread only and returns the previous setting (restore it
     * in a {@code finally}). A thread's first setting is PyTorch's default, on.
     */
    public static boolean gradMode(boolean enabled) {
        boolean previous = JniUtils.isGradMode();
        if (previous != enabled) {
            JniUtils.setGradMode(enabled);
        }
        return previous;
    }

    /**
     * Back-propagates the scalar {@code loss} (recorded with {@link #gradMode} on in this thread) and adds its
     * gradient to the {@code .grad} of every parameter it depends on; runs in the calling thread. Concurrent calls on
     * graphs that share parameters are safe: PyTorch locks each parameter's gradient while adding to it.
     */
    public static void backward(NDArray loss) {
        NDArray seed = loss.getManager().ones(loss.getShape(), loss.getDataType());
        JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        seed.close();
    }

    /**
     * One fused SGD update of {@code weight} in place, gradient recording off:
     * {@code v = momentum * v + lr * (gradient + wd * weight); weight -= v} ({@code velocity} may be null when
     * {@code momentum} is 0: then {@code weight -= lr * (gradient + wd * weight)}). DJL's and PyTorch's SGD update.
     */
    public static void sgdUpdate(
            NDArray weight, NDArray gradient, NDArray velocity, float lr, float weightDecay, float momentum) {
        JniUtils.sgdUpdate(
                (PtNDArray) weight, (PtNDArray) gradient, (PtNDArray) velocity, lr, weightDecay, 1f, -1f, momentum);
    }

    /** Sets {@code parameter}'s accumulated gradient to zero (an optimizer step does this itself). */
    public static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }

    /**
     * Seeds the engine's own global random generator (the one its {@code dropout} and {@code bernoulli} operators
     * draw from) without touching DJL's Java-side random source.
     */
    public static void seedEngineGenerator(long seed) {
        engine();
        JniUtils.setSeed(seed);
    }

    /**
     * The CPU tensor {@code a}'s own memory as a native-order buffer, so that Java writes into the tensor, or null
     * where Java cannot reach it (another device, or an engine whose direct buffers are copies). For a contiguous CPU
     * tensor (a parameter, a tensor just made, a gradient of one) DJL's direct buffer is the tensor's memory; that a
     * write through it reaches the tensor is checked once per JVM ({@link #cpuMemoryWritesThrough()}).
     */
    public static ByteBuffer cpuMemory(NDArray a) {
        if (!a.getDevice().equals(Device.cpu()) || !Aliasing.WRITES_THROUGH) {
            return null;
        }
        ByteBuffer bytes = a.toByteBuffer(true);
        if (!bytes.isDirect() || bytes.capacity() != a.getDataType().getNumOfBytes() * a.size()) {
            return null;
        }
        return bytes.order(ByteOrder.nativeOrder());
    }

    /** Whether a write through a new CPU tensor's direct buffer reaches the tensor (found once, at first use). */
    public static boolean cpuMemoryWritesThrough() {
        return Aliasing.WRITES_THROUGH;
    }

    private static final class Aliasing {
        static final boolean WRITES_THROUGH = check();

        private Aliasing() {}

        private static boolean check() {
            try (NDManager manager = engine().newBaseManager(Device.cpu())) {
                NDArray probe = manager.zeros(new Shape(2), DataType.FLOAT32);
                ByteBuffer bytes = probe.toByteBuffer(true);
                if (!bytes.isDirect() || bytes.capacity() != 8) {
                    return false;
                }
                bytes.order(ByteOrder.nativeOrder()).asFloatBuffer().put(1, 42f);
                return probe.toFloatArray()[1] == 42f; // read back by the engine's own copy
            }
        }
    }
}
