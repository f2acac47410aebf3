package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.platform.remote.OpenSshServer;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.trial.TrialStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C of {@code hybrid run} (a child JVM) while its only machine, a real OpenSSH server on loopback, cannot be
 * reached: the stop is recorded, the summary printed, and the process exits 130.
 */
@Tag("openssh")
class RunCommandStopTest {
    private static final Pattern RUNNING = Pattern.compile("trials 0 done, 1 running");

    @TempDir
    Path dir;
    private OpenSshServer sshd;
    private Process child;

    @BeforeEach
    void startServer() throws Exception {
        OpenSshServer.assumeInstalled();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        sshd = OpenSshServer.start(dir.resolve("sshd"), key);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: sleep 600",
                "trialCodeDirectory: .",
                "trialConcurrency: 1",
                "maxTrialNumber: 1",
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  platform: remote",
                "  knownHostsFile: " + dir.resolve("known_hosts"),
                "  machineLostAfter: 10m",
                "  machineList:",
                "    - host: 127.0.0.1",
                "      port: " + sshd.port(),
                "      user: " + OpenSshServer.user(),
                "      sshKeyFile: " + key,
                "      remoteDirectory: " + dir.resolve("machine"),
                ""));
    }

    @AfterEach
    void stop() throws Exception {
        if (child != null) {
            child.destroyForcibly();
        }
        sshd.close();
    }

    @Test
    void ctrlCWhileTheOnlyMachineIsUnreachableRecordsTheStopPrintsTheSummaryAndExits130() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.hybrid.cli.HybridCommand", "run", dir.resolve("config.yml").toString(), "--id", "stop1",
                "--work-dir", dir.resolve("work").toString(), "--progress-interval", "0.2")
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> running = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    if (RUNNING.matcher(line).find()) {
                        running.complete(true);
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
            running.complete(false);
        }, "stop-test-reader");
        reader.start();
        assertThat(running.get(60, TimeUnit.SECONDS)).as("%s", seen).isTrue();

        sshd.kill();
        assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).start().waitFor()).isZero();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join();
        synchronized (seen) {
            assertThat(child.exitValue()).as("%s", seen).isEqualTo(130);
            assertThat(seen.toString()).contains("ended STOPPED");
        }
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(dir.resolve("work/stop1"))) {
            store.open();
            assertThat(store.experiment()).hasValueSatisfying(e -> assertThat(e.status())
                    .isEqualTo(ExperimentStatus.STOPPED));
            assertThat(store.trials()).singleElement().satisfies(t -> {
                assertThat(t.trial().status()).isEqualTo(TrialStatus.USER_CANCELED);
                assertThat(t.trial().message()).doesNotContain("did not end within");
            });
            // The command's Ctrl-C handler and the experiment's own JVM shutdown hook both stop it, in either order:
            // the first stop is recorded, once.
            assertThat(store.changes()).singleElement().satisfies(c -> {
                assertThat(c.field()).isEqualTo("status");
                assertThat(c.newValue()).isEqualTo("STOPPING");
                assertThat(c.source()).isIn("cli", "shutdown");
            });
        }
    }
}
