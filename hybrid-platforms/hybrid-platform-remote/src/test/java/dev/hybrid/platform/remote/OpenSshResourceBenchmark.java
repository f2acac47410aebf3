package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.platform.remote.internal.CodeArchive;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the remote platform costs, printed as figures: the CPU share of a machine's monitor (and the commands it runs)
 * while one and eight trials sleep, over a real OpenSSH server on loopback; and the heap the code upload needs for a
 * code directory holding a 2.2 GB (sparse) file. Skipped where {@code /usr/sbin/sshd} is not installed. The checks are
 * loose so that a busy machine does not fail the build; the printed figures are the measure.
 */
@Tag("openssh")
class OpenSshResourceBenchmark {
    @TempDir
    Path dir;

    @Test
    void monitorCpuWithOneAndEightSleepingTrials() throws Exception {
        OpenSshServer.assumeInstalled();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        try (OpenSshServer server = OpenSshServer.start(dir.resolve("sshd"), key)) {
            for (int trials : List.of(1, 8)) {
                Path code = Files.createDirectories(dir.resolve("code"));
                Path machineDir = dir.resolve("machine-" + trials);
                RemoteMachine m = RemoteMachine.withKey("127.0.0.1", server.port(), OpenSshServer.user(), key)
                        .withMaxConcurrentTrials(8).withRemoteDirectory(machineDir.toString());
                RemotePlatformOptions o = RemotePlatformOptions.of("cpu", "sleep 30", code, List.of(m))
                        .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW);
                RecordingSink sink = new RecordingSink();
                RemotePlatform p = RemotePlatform.create(o);
                try {
                    p.start(sink);
                    for (int i = 0; i < trials; i++) {
                        p.submit(new TrialSpec(TrialId.of("s" + i), i, i, new Parameters(Map.of("x", i))));
                    }
                    sink.awaitCount(TrialEvent.Started.class::isInstance, trials, Duration.ofSeconds(30));
                    ProcessHandle monitor = ProcessHandle.allProcesses()
                            .filter(h -> h.info().commandLine().map(c -> c.contains(machineDir + "/cpu/.hybrid/"
                                    + "monitor.sh")).orElse(false))
                            .findFirst().orElseThrow();
                    // Settle past the first scans after the last start, then measure over 10 s of wall time.
                    new CountDownLatch(1).await(3, TimeUnit.SECONDS);
                    long before = cpuTicks(monitor.pid());
                    long t0 = System.nanoTime();
                    new CountDownLatch(1).await(10, TimeUnit.SECONDS);
                    long ticks = cpuTicks(monitor.pid()) - before;
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double percent = 100.0 * ticks / 100.0 / seconds; // USER_HZ is 100 on Linux
                    System.out.printf(Locale.ROOT, "monitor CPU with %d sleeping trial(s): %.1f %% of a core%n",
                            trials, percent);
                    assertThat(percent).isLessThan(50);
                } finally {
                    p.close();
                }
            }
        }
    }

    /** utime + stime of the process and of the children it has waited for, from {@code /proc/<pid>/stat}. */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14-17 of stat, counted from the state field (3rd) onwards
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    @Test
    void heapWhileStreamingACodeDirectoryWithA22GigabyteFile() throws Exception {
        Path code = Files.createDirectories(dir.resolve("big-code"));
        Files.writeString(code.resolve("main.py"), "print('hi')\n");
        try (RandomAccessFile f = new RandomAccessFile(code.resolve("weights.bin").toFile(), "rw")) {
            f.setLength(2_200_000_000L); // sparse: no disk used
        }
        System.gc();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long usedBefore = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        long t0 = System.nanoTime();
        CodeArchive a = CodeArchive.pack(code, Map.of());
        a.writeTo(OutputStream.nullOutputStream());
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.printf(Locale.ROOT, "code archive of %d bytes streamed in %.1f s; heap used before %d MB, peak"
                + " during %d MB%n", a.size(), seconds, usedBefore >> 20, peak >> 20);
        assertThat(peak - usedBefore).isLessThan(1L << 30);
    }
}
