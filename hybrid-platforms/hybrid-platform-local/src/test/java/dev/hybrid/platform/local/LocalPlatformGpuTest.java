package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GPU trials on the local platform, with a stand-in {@code nvidia-smi} printing what a two-GPU machine prints. */
class LocalPlatformGpuTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final String GPUS = String.join("\n",
            "index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], "
                    + "utilization.memory [%]",
            "0, GPU-aaa, NVIDIA H200, 143771 MiB, 0 MiB, 143156 MiB, 0 %, 0 %",
            "1, GPU-bbb, NVIDIA H200, 143771 MiB, 1395 MiB, 141762 MiB, 100 %, 6 %");

    @TempDir
    Path dir;
    private LocalPlatform platform;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void code() throws Exception {
        Files.createDirectories(dir.resolve("code"));
        // Records the GPUs it was given, says so with a metric, then runs until cancelled.
        Files.writeString(dir.resolve("code/trial.sh"), String.join("\n",
                "echo \"$CUDA_VISIBLE_DEVICES\" > \"$NNI_SYS_DIR/cuda\"",
                "j='{\"type\":\"PERIODICAL\",\"sequence\":0,\"value\":\"1\"}'",
                "printf 'ME%06d%s\\n' \"$(( ${#j} + 1 ))\" \"$j\" >> \"$NNI_SYS_DIR/.nni/metrics\"",
                "sleep 600 &",
                "wait", ""));
    }

    @AfterEach
    void close() {
        if (platform != null) {
            platform.close();
        }
    }

    /** A stand-in nvidia-smi; {@code busyUuid} has another process on it (empty for none). */
    private Path nvidiaSmi(String busyUuid) throws Exception {
        Path script = dir.resolve("nvidia-smi");
        Files.writeString(script, String.join("\n",
                "#!/bin/sh",
                "case \"$1\" in",
                "  --query-gpu=*) cat <<'CSV'",
                GPUS,
                "CSV",
                "  ;;",
                "  --query-compute-apps=*) echo 'gpu_uuid, pid, used_gpu_memory [MiB]'"
                        + (busyUuid.isEmpty() ? "" : "; echo '" + busyUuid + ", 4242, 1386 MiB'") + " ;;",
                "esac", ""));
        script.toFile().setExecutable(true);
        return script;
    }

    private LocalPlatform platform(int gpusPerTrial, LocalPlatformOptions.Gpus gpus) {
        platform = LocalPlatform.create(LocalPlatformOptions.of("gpu", dir.resolve("exp"), "sh trial.sh",
                dir.resolve("code"), 4).withGpuNumber(gpusPerTrial).withGpus(gpus)
                .withCancelGracePeriod(Duration.ofSeconds(1)));
        return platform;
    }

    private String cudaOf(String id) throws Exception {
        // Counted over all events, not from the sink's cursor: two trials' first metrics may arrive in either order.
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(TrialId.of(id)), 1, T);
        return Files.readString(dir.resolve("exp/trials/" + id + "/cuda")).strip();
    }

    private static TrialSpec spec(String id) {
        return new TrialSpec(TrialId.of(id), 0, 0, new Parameters(Map.of("x", 1)));
    }

    @Test
    void eachTrialGetsFreeGpusOfItsOwnAndWaitsWhenNoneIsFree() throws Exception {
        LocalPlatform p = platform(1, new LocalPlatformOptions.Gpus(Optional.empty(), 1, true,
                nvidiaSmi("").toString()));
        p.start(sink);
        assertThat(p.freeSlots()).isEqualTo(2);
        p.submit(spec("g1"));
        p.submit(spec("g2"));
        assertThat(List.of(cudaOf("g1"), cudaOf("g2"))).containsExactlyInAnyOrder("0", "1");
        assertThat(p.freeSlots()).isZero();
        assertThatThrownBy(() -> p.submit(spec("g3"))).isInstanceOf(PlatformException.class)
                .hasMessageContaining("GPU");

        p.cancel(TrialId.of("g1"));
        sink.awaitEnded(TrialId.of("g1"), T);
        assertThat(p.freeSlots()).isEqualTo(1);
    }

    @Test
    void aGpuBusyWithAnotherProcessIsLeftAloneUnlessUseActiveGpu() throws Exception {
        LocalPlatform p = platform(1, new LocalPlatformOptions.Gpus(Optional.empty(), 2, false,
                nvidiaSmi("GPU-bbb").toString()));
        p.start(sink);
        // GPU 1 runs someone else's job: only GPU 0 counts, for two trials (maxTrialNumPerGpu 2).
        assertThat(p.freeSlots()).isEqualTo(2);
        p.submit(spec("s1"));
        p.submit(spec("s2"));
        assertThat(List.of(cudaOf("s1"), cudaOf("s2"))).containsExactly("0", "0");
        assertThat(p.freeSlots()).isZero();
    }

    @Test
    void gpuIndicesAndMultiGpuTrials() throws Exception {
        LocalPlatform p = platform(2, new LocalPlatformOptions.Gpus(Optional.empty(), 1, true,
                nvidiaSmi("").toString()));
        p.start(sink);
        assertThat(p.freeSlots()).isEqualTo(1);
        p.submit(spec("m1"));
        assertThat(cudaOf("m1")).isEqualTo("0,1");
    }

    @Test
    void trialsNeedingMoreGpusThanMayBeUsedOrNoNvidiaSmiFailAtStart() throws Exception {
        LocalPlatform tooMany = platform(2, new LocalPlatformOptions.Gpus(Optional.of(List.of(1)), 1, true,
                nvidiaSmi("").toString()));
        assertThatThrownBy(() -> tooMany.start(sink)).isInstanceOf(PlatformException.class)
                .hasMessageContaining("need 2 GPU(s)").hasMessageContaining("only 1").hasMessageContaining("[1]");
        tooMany.close();

        LocalPlatform none = platform(1, new LocalPlatformOptions.Gpus(Optional.empty(), 1, false,
                dir.resolve("no-such-nvidia-smi").toString()));
        assertThatThrownBy(() -> none.start(sink)).isInstanceOf(PlatformException.class)
                .hasMessageContaining("found no GPU");
    }

    @Test
    void zeroGpusHidesThemAllAndNoSettingLeavesTheVariableUnset() throws Exception {
        LocalPlatform p = platform(0, LocalPlatformOptions.Gpus.defaults());
        p.start(sink);
        assertThat(p.freeSlots()).isEqualTo(4);
        p.submit(spec("z1"));
        assertThat(cudaOf("z1")).isEqualTo("-1");
    }
}
