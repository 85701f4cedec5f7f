package dev.dropkit.parallel;

import ai.djl.Device;
import dev.dropkit.Env;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which devices to train on. On a machine with GPUs, data-parallel training puts one worker per GPU (DJL's
 * multi-device training); on a CPU-only machine there is one device, the CPU, and parallelism comes from threads
 * (DJL rejects a list of several CPU devices: "Duplicated devices are not allowed").
 *
 * <pre>{@code
 * List<Device> devices = Devices.cpuOrGpus(2);   // [gpu(0), gpu(1)] with two GPUs, [cpu()] without any
 * List<Device> strict = Devices.gpus(2);         // fails in one line when fewer than two GPUs are present
 * }</pre>
 */
public final class Devices {
    private Devices() {}

    /** GPUs the engine sees (0 on a CPU-only machine or a CPU-only engine build). */
    public static int gpuCount() {
        return Env.engine().getGpuCount();
    }

    /** The first GPU when there is one, else the CPU. */
    public static Device best() {
        return gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
    }

    /** Exactly {@code n} GPUs, failing in one line when the machine has fewer. */
    public static List<Device> gpus(int n) {
        return gpus(n, gpuCount());
    }

    /** {@code n} GPUs when the machine has any, else the CPU alone (the CPU path of the same code). */
    public static List<Device> cpuOrGpus(int n) {
        return cpuOrGpus(n, gpuCount());
    }

    static List<Device> gpus(int n, int available) {
        checkCount(n);
        if (n > available) {
            throw new IllegalArgumentException(
                    "asked for " + n + " GPU" + (n == 1 ? "" : "s") + " but this machine has "
                            + available + ": ask for at most " + available
                            + (available == 0 ? " (use Devices.cpuOrGpus to fall back to the CPU)" : ""));
        }
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            devices.add(Device.gpu(i));
        }
        return List.copyOf(devices);
    }

    static List<Device> cpuOrGpus(int n, int available) {
        checkCount(n);
        return available == 0 ? List.of(Device.cpu()) : gpus(n, available);
    }

    /** e.g. {@code "cpu()"} or {@code "gpu(0), gpu(1)"}. */
    public static String describe(List<Device> devices) {
        return devices.stream().map(Device::toString).collect(Collectors.joining(", "));
    }

    private static void checkCount(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("device count " + n + " is below 1: ask for at least one device");
        }
    }
}
