package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.platform.remote.OpenSshServer;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm platform through a login node: a real OpenSSH server on a loopback port runs the Slurm commands, and the
 * shared directory is written and read through its SSH connection only.
 */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmLoginNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static List<Metric> metrics(RecordingSink sink, TrialId id) {
        return sink.eventsOf(id).stream().filter(TrialEvent.MetricReported.class::isInstance)
                .map(e -> ((TrialEvent.MetricReported) e).metric()).toList();
    }

    private static TrialEvent.Ended ended(RecordingSink sink, TrialId id) {
        return sink.eventsOf(id).stream().filter(TrialEvent.Ended.class::isInstance).map(TrialEvent.Ended.class::cast)
                .findFirst().orElseThrow();
    }

    @Test
    void aSubmissionWhoseReplyIsLostWithTheLoginNodesConnectionMakesOneJobNotTwo() throws Exception {
        OpenSshServer.assumeInstalled();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        // On the login node, sbatch submits the job, then the SSH session that ran it dies before its exit status
        // goes back (once): the connection drops with the job made and its id never received.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path dropped = dir.resolve("dropped");
        Files.writeString(bin.resolve("sbatch"), String.join("\n",
                "#!/bin/sh",
                "/usr/bin/sbatch \"$@\" || exit $?",
                "[ -e " + SlurmPlatform.quote(dropped.toString()) + " ] && exit 0",
                ": > " + SlurmPlatform.quote(dropped.toString()),
                // The session's sshd processes (the listener's children and theirs, not the listener): the
                // connection closes at once.
                "p=$$; session=",
                "while [ \"$p\" -gt 1 ]; do",
                "  up=$(awk '{print $4}' /proc/$p/stat)",
                "  [ \"$(cat /proc/$p/comm)\" = sshd ] && [ \"$(cat /proc/$up/comm)\" = sshd ] && session=\"$session $p\"",
                "  p=$up",
                "done",
                "kill -9 $session",
                ""));
        bin.resolve("sbatch").toFile().setExecutable(true);
        Map<String, String> env = new java.util.HashMap<>(SlurmCluster.current().environment());
        env.put("PATH", bin + ":/usr/bin:/bin");
        try (OpenSshServer login = OpenSshServer.start(dir.resolve("sshd"), key)) {
            SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 1)
                    .withExperiment("dropped", dir.resolve("here"))
                    .withSharedDirectory(dir.resolve("shared"))
                    .withCommandEnvironment(env)
                    .withPollInterval(Duration.ofMillis(100));
            RecordingSink sink = new RecordingSink();
            try (SlurmPlatform slurm = SlurmPlatform.create(options, SlurmLoginNode.withKey("127.0.0.1",
                    login.port(), OpenSshServer.user(), key, dir.resolve("known_hosts")), Clock.systemUTC())) {
                slurm.start(sink);
                TrialId id = TrialId.of("once");
                slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.SUCCEED));
                String job = slurm.jobId(id).orElseThrow();

                assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(dropped).exists();
                assertThat(metrics(sink, id)).filteredOn(m -> m.type() == MetricType.FINAL).hasSize(1);
                assertThat(SlurmCluster.current().run("squeue", "-h", "-t", "all", "--name=hybrid-dropped", "-o",
                        "%i").strip()).isEqualTo(job);
            }
        }
    }

    @Test
    void trialsRunThroughTheLoginNodeWithEveryMetricOnceAfterAReconnect() throws Exception {
        OpenSshServer.assumeInstalled();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        try (OpenSshServer login = OpenSshServer.start(dir.resolve("sshd"), key)) {
            SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 3)
                    .withExperiment("login", dir.resolve("here"))
                    .withSharedDirectory(dir.resolve("shared"))
                    .withCommandEnvironment(SlurmCluster.current().environment())
                    .withPollInterval(Duration.ofMillis(100));
            RecordingSink sink = new RecordingSink();
            try (SlurmPlatform slurm = SlurmPlatform.create(options, SlurmLoginNode.withKey("127.0.0.1",
                    login.port(), OpenSshServer.user(), key, dir.resolve("known_hosts")), Clock.systemUTC())) {
                slurm.start(sink);
                TrialId slow = TrialId.of("slow");
                TrialId fail = TrialId.of("fail");
                TrialId block = TrialId.of("block");
                slurm.submit(TrainingPlatformContract.scenarioSpec(slow, 0, "slow"));
                slurm.submit(TrainingPlatformContract.scenarioSpec(fail, 1, TrainingPlatformContract.FAIL));
                sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(slow), WAIT,
                        "slow's first metric");

                // The login node goes away while the trial reports, and comes back.
                login.kill();
                login.restart();
                sink.awaitCount(e -> e instanceof TrialEvent.Ended && !e.trial().equals(block), 2, WAIT);
                slurm.submit(TrainingPlatformContract.scenarioSpec(block, 2, TrainingPlatformContract.BLOCK));
                sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(block), WAIT,
                        "block's metric");
                slurm.cancel(block);
                sink.awaitCount(e -> e instanceof TrialEvent.Ended, 3, WAIT);
                TrialEvent.Ended slowEnd = ended(sink, slow);
                TrialEvent.Ended failEnd = ended(sink, fail);
                TrialEvent.Ended blockEnd = ended(sink, block);

                assertThat(slowEnd.status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(metrics(sink, slow)).filteredOn(m -> m.type() == MetricType.PERIODICAL)
                        .extracting(Metric::scalar).containsExactly(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0);
                assertThat(metrics(sink, slow)).filteredOn(m -> m.type() == MetricType.FINAL)
                        .extracting(Metric::scalar).containsExactly(10.0);
                assertThat(failEnd.status()).isEqualTo(TrialStatus.FAILED);
                assertThat(failEnd.exitCode()).contains(3);
                assertThat(failEnd.message()).contains("something went wrong");
                assertThat(blockEnd.status()).isEqualTo(TrialStatus.USER_CANCELED);
            }
            // Everything went through the login node to the shared directory; nothing was laid out here.
            assertThat(dir.resolve("shared/login/nni-code/trial.sh")).exists();
            assertThat(dir.resolve("shared/login/trials/slow/.nni/metrics")).exists();
            assertThat(dir.resolve("here")).doesNotExist();
        }
    }
}
