package dev.hybrid.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GpuSchedulerTest {
    /** nvidia-smi's CSV output of the H200 in the project's fixtures, idle and busy with one foreign process. */
    static final String QUERY_GPU_IDLE = String.join("\n",
            "index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], "
                    + "utilization.memory [%]",
            "0, GPU-9dfefb8d-0127-3950-c05f-54496b40dcf5, NVIDIA H200, 143771 MiB, 0 MiB, 143156 MiB, 0 %, 0 %", "");
    static final String QUERY_GPU_BUSY = QUERY_GPU_IDLE.replace("0 MiB, 143156 MiB, 0 %", "1395 MiB, 141762 MiB, 100 %");
    static final String APPS_BUSY = "gpu_uuid, pid, used_gpu_memory [MiB]\n"
            + "GPU-9dfefb8d-0127-3950-c05f-54496b40dcf5, 430, 1386 MiB\n";
    static final String APPS_IDLE = "gpu_uuid, pid, used_gpu_memory [MiB]\n";

    private static List<GpuInfo> gpus(int n, int... busy) {
        List<GpuInfo> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            int active = 0;
            for (int b : busy) {
                if (b == i) {
                    active = 1;
                }
            }
            out.add(new GpuInfo(i, "GPU-" + i, "test", 1000, 0, 0, active));
        }
        return out;
    }

    @Test
    void nvidiaSmiOutputOfAnIdleAndABusyGpuIsRead() {
        List<GpuInfo> idle = NvidiaSmi.parse(QUERY_GPU_IDLE, APPS_IDLE);
        assertThat(idle).containsExactly(new GpuInfo(0, "GPU-9dfefb8d-0127-3950-c05f-54496b40dcf5", "NVIDIA H200",
                143771, 0, 0, 0));
        List<GpuInfo> busy = NvidiaSmi.parse(QUERY_GPU_BUSY, APPS_BUSY);
        assertThat(busy.get(0).utilizationPercent()).isEqualTo(100);
        assertThat(busy.get(0).memoryUsedMiB()).isEqualTo(1395);
        assertThat(busy.get(0).activeProcesses()).isEqualTo(1);
        assertThatThrownBy(() -> NvidiaSmi.parse("index, uuid\n0, x\n", "")).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void aGpuBusyWithSomeoneElsesProcessIsLeftAloneUnlessUseActiveGpu() {
        List<GpuInfo> busy = NvidiaSmi.parse(QUERY_GPU_BUSY, APPS_BUSY);
        assertThat(new GpuScheduler(busy, Optional.empty(), 1, false).allocate(1)).isEmpty();
        assertThat(new GpuScheduler(busy, Optional.empty(), 1, true).allocate(1)).contains(List.of(0));
    }

    @Test
    void trialsShareAGpuUpToMaxTrialNumPerGpuAndGetTheLeastUsedOnes() {
        GpuScheduler s = new GpuScheduler(gpus(4), Optional.empty(), 2, false);
        assertThat(s.freeSlots(2)).isEqualTo(4);
        List<Integer> a = s.allocate(2).orElseThrow();
        List<Integer> b = s.allocate(2).orElseThrow();
        assertThat(a).containsExactly(0, 1);
        assertThat(b).containsExactly(2, 3);
        assertThat(s.allocate(1)).contains(List.of(0));
        assertThat(s.freeSlots(1)).isEqualTo(3);
        s.release(a);
        assertThat(s.freeSlots(2)).isEqualTo(2);
    }

    @Test
    void gpuIndicesLimitTheGpusAndATrialNeverGetsMoreThanThereAre() {
        GpuScheduler s = new GpuScheduler(gpus(4, 3), Optional.of(List.of(1, 3)), 1, false);
        assertThat(s.usableCount()).isEqualTo(2);
        assertThat(s.freeSlots(1)).isEqualTo(1);
        assertThat(s.allocate(2)).isEmpty();
        assertThat(s.allocate(1)).contains(List.of(1));
        assertThat(s.allocate(1)).isEmpty();
        assertThat(s.freeSlots(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(s.allocate(0)).contains(List.of());
    }

    @Test
    void freshReadingsKeepOurAssignments() {
        GpuScheduler s = new GpuScheduler(gpus(2), Optional.empty(), 1, false);
        assertThat(s.allocate(1)).contains(List.of(0));
        // Our trial now shows up as a process on GPU 0; GPU 1 picked up someone else's job.
        s.update(List.of(new GpuInfo(0, "GPU-0", "t", 1, 0, 0, 1), new GpuInfo(1, "GPU-1", "t", 1, 0, 0, 1)));
        assertThat(s.allocate(1)).isEmpty();
    }

    @Test
    void freeSlotsAreCountedWithoutTryingEachAssignment() {
        GpuScheduler big = new GpuScheduler(gpus(2), Optional.empty(), 100_000, false);
        assertThat(big.freeSlots(2)).isEqualTo(100_000);
        assertThat(big.freeSlots(1)).isEqualTo(200_000);
        assertThat(big.freeSlots(3)).isZero();

        GpuScheduler uneven = new GpuScheduler(gpus(2), Optional.empty(), 3, false);
        uneven.allocate(1);
        uneven.allocate(1);
        uneven.allocate(1);
        // Rooms are now 1 and 2 (or 2 and 1): one more 2-GPU trial fits, not two.
        assertThat(uneven.freeSlots(2)).isEqualTo(1);
        assertThat(uneven.freeSlots(1)).isEqualTo(3);
    }
}
