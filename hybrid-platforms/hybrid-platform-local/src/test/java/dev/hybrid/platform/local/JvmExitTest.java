package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentListener;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.TrialId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that embeds the library and exits without closing its experiment (its {@code main} returns, or it gets
 * SIGTERM) leaves no trial process running: a child JVM runs {@link #main} and the test watches its trial processes.
 */
class JvmExitTest {
    @TempDir
    Path dir;

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(ProcessHandle::destroyForcibly);
    }

    /** The embedding program: starts an experiment with one long local trial, then returns or blocks (args[0]). */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]);
        Files.createDirectories(work.resolve("code"));
        CountDownLatch running = new CountDownLatch(1);
        Experiment experiment = Experiment.builder()
                .searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                .tuner("Random", Map.of())
                .maxTrialNumber(1)
                .platform(LocalPlatform.create(LocalPlatformOptions.of("exit1", work.resolve("exp"),
                        "sleep 600 & echo $! > '" + work.resolve("child.pid") + "'; echo $$ > '"
                                + work.resolve("trial.pid") + "'; "
                                + "echo \"NNISDK_MEb'{\\\"type\\\": \\\"PERIODICAL\\\", \\\"sequence\\\": 0, "
                                + "\\\"value\\\": \\\"1\\\"}'\"; wait", work.resolve("code"), 1)))
                .listener(new ExperimentListener() {
                    @Override
                    public void onMetric(TrialId trial, Metric metric) {
                        running.countDown();
                    }
                })
                .build();
        experiment.start();
        running.await();
        // The experiment, not the options, decides where trial folders go: the trial writes its pids where we say.
        System.out.println("RUNNING " + Files.readString(work.resolve("trial.pid")).trim() + " "
                + Files.readString(work.resolve("child.pid")).trim());
        System.out.flush();
        if (args[0].equals("block")) {
            new CountDownLatch(1).await();
        }
        // "return": main ends without close(); the experiment's threads are daemons, so the JVM exits now.
    }

    @Test
    void aJvmWhoseMainReturnsWithoutCloseLeavesNoTrialProcess() throws Exception {
        Process child = embedder("return");
        assertThat(child.onExit().get(60, TimeUnit.SECONDS).exitValue()).isZero();
        assertTrialProcessesEnd();
    }

    @Test
    void aJvmStoppedWithSigtermLeavesNoTrialProcess() throws Exception {
        Process child = embedder("block");
        child.destroy(); // SIGTERM
        child.onExit().get(60, TimeUnit.SECONDS);
        assertTrialProcessesEnd();
    }

    private Process embedder(String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                JvmExitTest.class.getName(), mode, dir.toString()).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("RUNNING ")) {
                    // The trial's shell and its background child; gone already if the JVM has exited.
                    for (String pid : line.substring(8).split(" ")) {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(started::add);
                    }
                    return child;
                }
            }
        }
        throw new AssertionError("the embedding JVM ended without running its trial:\n" + seen);
    }

    private void assertTrialProcessesEnd() throws Exception {
        for (ProcessHandle h : started) {
            h.onExit().get(30, TimeUnit.SECONDS);
            assertThat(h.isAlive()).as("trial process %d", h.pid()).isFalse();
        }
    }
}
