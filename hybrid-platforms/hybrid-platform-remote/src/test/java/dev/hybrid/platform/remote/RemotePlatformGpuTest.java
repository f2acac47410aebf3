package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU trials on remote machines (in-process SSH servers), whose GPUs a stand-in {@code nvidia-smi} on the machine
 * reports as a recorded two-GPU H200 machine would.
 */
class RemotePlatformGpuTest {
    private static final Duration T = Duration.ofSeconds(30);
    private static final String GPUS = String.join("\n",
            "index, uuid, name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%], "
                    + "utilization.memory [%]",
            "0, GPU-aaa, NVIDIA H200, 143771 MiB, 0 MiB, 143156 MiB, 0 %, 0 %",
            "1, GPU-bbb, NVIDIA H200, 143771 MiB, 1395 MiB, 141762 MiB, 100 %, 6 %");
    /** A command name found on no machine's {@code PATH} unless a test puts it there. */
    private static final String STAND_IN = "hybrid-test-nvidia-smi";

    @TempDir
    static Path shared;
    static MinaServer server;

    @TempDir
    Path dir;
    private final List<RemotePlatform> platforms = new ArrayList<>();
    private final List<MinaServer> extraServers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = MinaServer.start(shared.resolve("host.key"), List.of());
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        platforms.forEach(RemotePlatform::close);
        for (MinaServer s : extraServers) {
            s.close();
        }
    }

    /**
     * Writes the stand-in {@code nvidia-smi} to {@code bin/hybrid-test-nvidia-smi}: it prints the two GPUs and, as
     * running on {@code busyUuid}, another process (none when empty), and notes each call in {@code bin/calls}.
     */
    private Path nvidiaSmi(String busyUuid) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve(STAND_IN);
        Path next = bin.resolve(STAND_IN + ".new");
        Files.writeString(next, String.join("\n",
                "#!/bin/sh",
                "echo \"$1\" >> '" + bin.resolve("calls") + "'",
                "case \"$1\" in",
                "  --query-gpu=*) cat <<'CSV'",
                GPUS,
                "CSV",
                "  ;;",
                "  --query-compute-apps=*) echo 'gpu_uuid, pid, used_gpu_memory [MiB]'"
                        + (busyUuid.isEmpty() ? "" : "; echo '" + busyUuid + ", 4242, 1386 MiB'") + " ;;",
                "esac", ""));
        next.toFile().setExecutable(true);
        // Replaced in one step: a reading may be under way.
        Files.move(next, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return script;
    }

    private Path code() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
        return code;
    }

    private RemoteMachine machine(MinaServer s, String name) {
        return RemoteMachine.withPassword("127.0.0.1", s.port(), MinaServer.USER, Secret.of(MinaServer.PASSWORD))
                .withRemoteDirectory(dir.resolve(name).toString());
    }

    /** Options whose trials note their {@code CUDA_VISIBLE_DEVICES} in {@code cuda}, then block until cancelled. */
    private RemotePlatformOptions options(List<RemoteMachine> machines) throws Exception {
        return RemotePlatformOptions.of("exp1", "echo \"${CUDA_VISIBLE_DEVICES-unset}\" > \"$NNI_SYS_DIR/cuda\";"
                        + " sh trial.sh", code(), machines)
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(1))
                .withKeepAliveInterval(Duration.ofSeconds(1));
    }

    private RemotePlatform started(RemotePlatformOptions o, RecordingSink sink) {
        RemotePlatform p = RemotePlatform.create(o);
        platforms.add(p);
        p.start(sink);
        return p;
    }

    private static TrialSpec spec(String id) {
        return new TrialSpec(TrialId.of(id), 0, 1, new Parameters(Map.of("scenario", "block")));
    }

    /** The {@code CUDA_VISIBLE_DEVICES} trial {@code id} saw on machine {@code name}, once it reported a metric. */
    private String cudaOf(RecordingSink sink, String name, String id) throws Exception {
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && e.trial().value().equals(id), 1, T);
        return Files.readString(dir.resolve(name + "/exp1/trials/" + id + "/cuda")).strip();
    }

    @Test
    void twoGpusTakeTwoOneGpuTrialsEachWithItsOwnAndAThirdWaitsUntilOneEnds() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m"))).withGpuNumber(1)
                .withNvidiaSmi(nvidiaSmi("").toString()), sink);
        assertThat(p.freeSlots()).isEqualTo(2);

        p.submit(spec("g1"));
        p.submit(spec("g2"));

        assertThat(List.of(cudaOf(sink, "m", "g1"), cudaOf(sink, "m", "g2"))).containsExactlyInAnyOrder("0", "1");
        assertThat(p.freeSlots()).isZero();
        assertThatThrownBy(() -> p.submit(spec("g3"))).isInstanceOf(PlatformException.class)
                .hasMessageContaining("no free slot").hasMessageContaining("1 free GPU(s) needed");

        p.cancel(TrialId.of("g1"));
        assertThat(RemotePlatformTest.ended(sink, TrialId.of("g1"), T).status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(p.freeSlots()).isEqualTo(1);
        p.submit(spec("g3"));
        assertThat(cudaOf(sink, "m", "g3")).isEqualTo(cudaOf(sink, "m", "g1"));
    }

    @Test
    void aGpuBusyWithAnotherProcessIsSkippedUnlessUseActiveGpu() throws Exception {
        Path smi = nvidiaSmi("GPU-aaa");
        RecordingSink sink = new RecordingSink();
        RemotePlatform polite = started(options(List.of(machine(server, "polite"))).withGpuNumber(1)
                .withNvidiaSmi(smi.toString()), sink);
        assertThat(polite.freeSlots()).isEqualTo(1);
        polite.submit(spec("b1"));
        assertThat(cudaOf(sink, "polite", "b1")).isEqualTo("1");
        assertThat(polite.freeSlots()).isZero();

        RemotePlatform eager = started(options(List.of(machine(server, "eager").withUseActiveGpu(true)))
                .withGpuNumber(1).withNvidiaSmi(smi.toString()), new RecordingSink());
        assertThat(eager.freeSlots()).isEqualTo(2);
    }

    @Test
    void gpuIndicesLimitTheGpusAndMaxTrialNumPerGpuLetsTrialsShareOne() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m").withGpus(List.of(1), 2))).withGpuNumber(1)
                .withNvidiaSmi(nvidiaSmi("").toString()), sink);
        assertThat(p.freeSlots()).isEqualTo(2);

        p.submit(spec("s1"));
        p.submit(spec("s2"));

        assertThat(List.of(cudaOf(sink, "m", "s1"), cudaOf(sink, "m", "s2"))).containsExactly("1", "1");
        assertThat(p.freeSlots()).isZero();
    }

    @Test
    void aTwoGpuTrialGetsBothGpus() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m"))).withGpuNumber(2)
                .withNvidiaSmi(nvidiaSmi("").toString()), sink);
        assertThat(p.freeSlots()).isEqualTo(1);

        p.submit(spec("w1"));

        assertThat(cudaOf(sink, "m", "w1")).isEqualTo("0,1");
        assertThat(p.freeSlots()).isZero();
    }

    @Test
    void aMachineWithoutNvidiaSmiGetsNoGpuTrialsWhileAMachineWithItDoes() throws Exception {
        Path bin = nvidiaSmi("").getParent();
        MinaServer withGpus = MinaServer.start(dir.resolve("gpu.key"), List.of(),
                Map.of("PATH", bin + ":" + System.getenv("PATH")));
        extraServers.add(withGpus);
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "plain").withMaxConcurrentTrials(4),
                machine(withGpus, "gpu"))).withGpuNumber(1).withNvidiaSmi(STAND_IN), sink);

        assertThat(p.machineStates().get(MinaServer.USER + "@127.0.0.1:" + server.port()))
                .startsWith("up; no GPU trials: ").contains("'" + STAND_IN + "' was not found");
        assertThat(p.machineStates().get(MinaServer.USER + "@127.0.0.1:" + withGpus.port())).isEqualTo("up");
        assertThat(p.freeSlots()).isEqualTo(2);
        p.submit(spec("a1"));
        p.submit(spec("a2"));

        assertThat(List.of(cudaOf(sink, "gpu", "a1"), cudaOf(sink, "gpu", "a2"))).containsExactlyInAnyOrder("0", "1");
        assertThat(dir.resolve("plain/exp1/trials/a1")).doesNotExist();
        assertThat(dir.resolve("plain/exp1/trials/a2")).doesNotExist();
        assertThat(p.freeSlots()).isZero();
    }

    @Test
    void startFailsNamingEachMachineAndWhyWhenNoMachineCanRunAGpuTrial() throws Exception {
        Path bin = nvidiaSmi("").getParent();
        MinaServer withGpus = MinaServer.start(dir.resolve("gpu.key"), List.of(),
                Map.of("PATH", bin + ":" + System.getenv("PATH")));
        extraServers.add(withGpus);
        RemotePlatformOptions o = options(List.of(machine(server, "plain"),
                machine(withGpus, "gpu").withGpus(List.of(1), 1))).withGpuNumber(2).withNvidiaSmi(STAND_IN);

        assertThatThrownBy(() -> started(o, new RecordingSink())).isInstanceOf(PlatformException.class)
                .hasMessageContaining("need 2 GPU(s) each")
                .hasMessageContaining("127.0.0.1:" + server.port() + ": '" + STAND_IN + "' was not found")
                .hasMessageContaining("127.0.0.1:" + withGpus.port() + ": trials need 2 GPU(s) each but only 1 of"
                        + " its 2 may be used (gpuIndices [1])");
    }

    @Test
    void freshReadingsLeaveAGpuAloneOnceAnotherProcessTakesIt() throws Exception {
        nvidiaSmi("");
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m"))).withGpuNumber(1)
                .withNvidiaSmi(dir.resolve("bin").resolve(STAND_IN).toString()), sink);
        assertThat(p.freeSlots()).isEqualTo(2);

        nvidiaSmi("GPU-aaa");
        p.readGpusNow();

        assertThat(p.freeSlots()).isEqualTo(1);
        p.submit(spec("r1"));
        assertThat(cudaOf(sink, "m", "r1")).isEqualTo("1");
    }

    @Test
    void withoutAGpuNumberOrWithZeroNvidiaSmiIsNeverRun() throws Exception {
        Path smi = nvidiaSmi("");
        RecordingSink sink = new RecordingSink();
        RemotePlatform unset = started(options(List.of(machine(server, "unset"))).withNvidiaSmi(smi.toString()),
                sink);
        unset.submit(spec("n1"));
        assertThat(cudaOf(sink, "unset", "n1")).isEqualTo("unset");

        RemotePlatform zero = started(options(List.of(machine(server, "zero"))).withGpuNumber(0)
                .withNvidiaSmi(smi.toString()), sink);
        zero.submit(spec("n2"));
        assertThat(cudaOf(sink, "zero", "n2")).isEqualTo("-1");

        assertThat(dir.resolve("bin/calls")).doesNotExist();
    }
}
