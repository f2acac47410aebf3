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

    /** The budget of a read to the end in the login node's read command ({@code SshSharedFolder}): 1 TiB. */
    private static final String FINAL_READ = Long.toString(1L << 40);

    @Test
    void reuseModeTrialsThatEndWhileTheirFolderCannotBeReadWaitForTheReadAndKeepEveryMetric() throws Exception {
        OpenSshServer.assumeInstalled();
        Path key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        // Every command runs through this login shell. While the file cut exists, a read of a trial's folder whose
        // budget matches the pattern in it has its connection cut (the session's sshd processes are killed, as in
        // the sbatch test above) and is logged to cuts; the Slurm commands get through.
        Path cut = dir.resolve("cut");
        Path cuts = dir.resolve("cuts");
        Path shell = dir.resolve("login-shell.sh");
        Files.writeString(shell, String.join("\n",
                "#!/bin/sh",
                "cut=" + SlurmPlatform.quote(cut.toString()),
                "if [ -e \"$cut\" ]; then",
                "  case \"$SSH_ORIGINAL_COMMAND\" in",
                "    *'d=$1; o1=$2'*)",
                "      b=${SSH_ORIGINAL_COMMAND##* }",
                "      case \"$b\" in",
                "        $(cat \"$cut\"))",
                "          echo \"$b\" >> " + SlurmPlatform.quote(cuts.toString()),
                "          p=$$; session=",
                "          while [ \"$p\" -gt 1 ]; do",
                "            up=$(awk '{print $4}' /proc/$p/stat)",
                "            case \"$(cat /proc/$p/comm)\" in sshd|sshd-session) case \"$(cat /proc/$up/comm)\" in"
                        + " sshd|sshd-session) session=\"$session $p\" ;; esac ;; esac",
                "            p=$up",
                "          done",
                "          kill -9 $session",
                "          exit 255 ;;",
                "      esac ;;",
                "  esac",
                "fi",
                "exec \"${SHELL:-/bin/sh}\" -c \"$SSH_ORIGINAL_COMMAND\"",
                ""));
        try (OpenSshServer login = OpenSshServer.start(dir.resolve("sshd"), key,
                List.of("ForceCommand /bin/sh " + shell))) {
            SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 1)
                    .withExperiment("reusecut", dir.resolve("here"))
                    .withSharedDirectory(dir.resolve("shared"))
                    .withCommandEnvironment(SlurmCluster.current().environment())
                    .withPollInterval(Duration.ofMillis(100))
                    .withReuseMode(true);
            Path experiment = dir.resolve("shared/reusecut");
            RecordingSink sink = new RecordingSink();
            try (SlurmPlatform slurm = SlurmPlatform.create(options, SlurmLoginNode.withKey("127.0.0.1",
                    login.port(), OpenSshServer.user(), key, dir.resolve("known_hosts")), Clock.systemUTC())) {
                slurm.start(sink);

                // 1. The trial's command ends (its pilot goes on) and the read of its folder to the end is cut.
                TrialId first = TrialId.of("first");
                slurm.submit(TrainingPlatformContract.scenarioSpec(first, 0, "gated"));
                sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(first), WAIT,
                        "first's intermediate metric");
                String pilot = slurm.jobId(first).orElseThrow();
                Files.writeString(cut, FINAL_READ);
                Files.writeString(experiment.resolve("trials/first/go"), "");
                // A read is tried once more on a new connection: four cuts are two polls that found it unreadable.
                awaitLines(cuts, FINAL_READ, 4);
                assertThat(sink.eventsOf(first)).noneMatch(TrialEvent.Ended.class::isInstance);
                Files.delete(cut);
                assertThat(sink.awaitEnded(first, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(metrics(sink, first)).extracting(Metric::type, Metric::scalar).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(MetricType.PERIODICAL, 1.0),
                        org.assertj.core.groups.Tuple.tuple(MetricType.FINAL, 2.0));

                // 2. The next trial, in the same pilot, reports its final metric while every read of its folder is
                // cut; its command ends, then its pilot (told to end once idle, as one near its time limit is).
                Files.delete(cuts);
                TrialId second = TrialId.of("second");
                slurm.submit(TrainingPlatformContract.scenarioSpec(second, 1, "gated"));
                sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(second), WAIT,
                        "second's intermediate metric");
                assertThat(slurm.jobId(second)).contains(pilot);
                Files.writeString(cut, "*");
                Files.writeString(experiment.resolve("pilots/pilot-1/stop"), "");
                Files.writeString(experiment.resolve("trials/second/go"), "");
                // A read to the end happens only once the platform has seen the pilot end.
                awaitLines(cuts, FINAL_READ, 4);
                assertThat(SlurmCluster.current().run("squeue", "-h", "-t", "all", "-j", pilot, "-o", "%T").strip())
                        .isEqualTo("COMPLETED");
                assertThat(sink.eventsOf(second)).noneMatch(TrialEvent.Ended.class::isInstance);
                Files.delete(cut);
                TrialEvent.Ended secondEnd = sink.awaitEnded(second, WAIT);

                assertThat(secondEnd.status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(secondEnd.exitCode()).contains(0);
                assertThat(metrics(sink, second)).extracting(Metric::type, Metric::scalar).containsExactly(
                        org.assertj.core.groups.Tuple.tuple(MetricType.PERIODICAL, 1.0),
                        org.assertj.core.groups.Tuple.tuple(MetricType.FINAL, 2.0));
            }
        }
    }

    /** Waits, on file-system events, until {@code file} has the line {@code line} {@code times} times. */
    private static void awaitLines(Path file, String line, int times) throws Exception {
        try (java.nio.file.WatchService watch = file.getFileSystem().newWatchService()) {
            file.getParent().register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.exists(file) || Files.readAllLines(file).stream().filter(line::equals).count() < times) {
                java.nio.file.WatchKey k = watch.poll(deadline - System.nanoTime(),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
                assertThat(k).as("%s lines %s in %s within %s", times, line, file, WAIT).isNotNull();
                k.pollEvents();
                k.reset();
            }
        }
    }
}
