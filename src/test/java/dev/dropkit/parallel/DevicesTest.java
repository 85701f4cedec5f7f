package dev.dropkit.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void cpuOnlyMachineFallsBackToTheCpuWhateverTheCount() {
        assertEquals(List.of(Device.cpu()), Devices.cpuOrGpus(1, 0));
        assertEquals(List.of(Device.cpu()), Devices.cpuOrGpus(4, 0));
    }

    @Test
    void gpusAreNumberedFromZero() {
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), Devices.gpus(2, 4));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)), Devices.cpuOrGpus(2, 2));
        assertEquals("gpu(0), gpu(1)", Devices.describe(Devices.gpus(2, 2)));
    }

    @Test
    void moreGpusThanPresentIsAOneLineErrorNamingBothCounts() {
        var e = assertThrows(IllegalArgumentException.class, () -> Devices.gpus(3, 1));
        assertTrue(e.getMessage().contains("3 GPUs") && e.getMessage().contains("has 1"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
        var none = assertThrows(IllegalArgumentException.class, () -> Devices.gpus(1, 0));
        assertTrue(none.getMessage().contains("cpuOrGpus"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Devices.cpuOrGpus(3, 2));
    }

    @Test
    void countBelowOneIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> Devices.cpuOrGpus(0, 0));
        assertTrue(e.getMessage().contains("0") && e.getMessage().contains("at least one"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Devices.gpus(-1, 2));
    }

    @Test
    void thisMachineAnswersConsistently() {
        int gpus = Devices.gpuCount();
        assertTrue(gpus >= 0);
        assertEquals(gpus > 0 ? Device.gpu(0) : Device.cpu(), Devices.best());
        assertEquals(gpus > 0 ? 1 : 1, Devices.cpuOrGpus(1).size());
        assertThrows(IllegalArgumentException.class, () -> Devices.gpus(gpus + 1));
    }
}
