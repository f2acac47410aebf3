package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An experiment whose JVM dies while its trial's job runs in Slurm, then is resumed: the job left behind is found by
 * the experiment's job name and cancelled, the trial runs again only once that job has ended, and when the experiment
 * ends no job of it is queued or running. A child JVM runs {@link #main} and is killed with SIGKILL.
 */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmResumeTest {
    private static final String ID = "slurmresume";

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    /**
     * The trial: it says it runs (the file {@code running}, holding its job id), reports an intermediate result and
     * blocks, until the file {@code resumed} exists; then it reports its final result at once.
     */
    private static String trial(Path work) {
        String flag = SlurmPlatform.quote(work.resolve("resumed").toString());
        String running = SlurmPlatform.quote(work.resolve("running").toString());
        return String.join("\n",
                "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
                "if [ -e " + flag + " ]; then",
                "  frame '{\"type\":\"FINAL\",\"sequence\":0,\"value\":\"5\"}'; exit 0",
                "fi",
                "frame '{\"type\":\"PERIODICAL\",\"sequence\":0,\"value\":\"1\"}'",
                "echo \"$SLURM_JOB_ID\" > " + running + ".tmp && mv " + running + ".tmp " + running,
                "exec sleep 600",
                "");
    }

    private static SlurmPlatform platform(Path work, String slurmConf) {
        return SlurmPlatform.create(SlurmPlatformOptions.of("sh trial.sh", work.resolve("code"), 1)
                .withCommandEnvironment(Map.of("SLURM_CONF", slurmConf))
                .withPollInterval(Duration.ofMillis(100)));
    }

    /** The embedding program that dies: starts the experiment (one trial, which blocks) and waits to be killed. */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Experiment experiment = Experiment.builder()
                .experimentId(ID)
                .searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                .tuner("Random", Map.of())
                .maxTrialNumber(1)
                .trialConcurrency(1)
                .workingDirectory(work.resolve("exp"))
                .platform(platform(work, args[1]))
                .build();
        experiment.start();
        new CountDownLatch(1).await();
    }

    /** Waits until {@code file} appears in its folder (the trial writes it by renaming). */
    private static void awaitFile(Path file, Duration timeout) throws Exception {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!Files.exists(file)) {
                WatchKey key = watch.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(key).as("%s within %s", file, timeout).isNotNull();
                key.pollEvents();
                key.reset();
            }
        }
    }

    private static String squeue(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("squeue", "-h"));
        command.addAll(List.of(args));
        return SlurmCluster.current().run(command.toArray(String[]::new)).strip();
    }

    @Test
    void aResumedExperimentCancelsTheJobItsDeadRunLeftAndEndsWithNoJobOfItsOwn() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), trial(dir));
        String conf = SlurmCluster.current().conf().toString();
        child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SlurmResumeTest.class.getName(), dir.toString(), conf)
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        awaitFile(dir.resolve("running"), Duration.ofSeconds(90));
        String leftJob = Files.readString(dir.resolve("running")).strip();

        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(squeue("-t", "all", "-j", leftJob, "-o", "%T")).isEqualTo("RUNNING");

        Files.writeString(dir.resolve("resumed"), "");
        try (Experiment resumed = Experiment.resume(dir.resolve("exp").resolve(ID))
                .platform(platform(dir, conf)).build()) {
            ExperimentHandle h = resumed.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(90))).isTrue();

            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            Trial t = h.trials().get(0);
            assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
            // The rerun's own metrics, each once; nothing of the killed attempt is read again.
            assertThat(t.finalMetric()).map(Metric::scalar).contains(5.0);
            assertThat(t.intermediate()).isEmpty();
        }
        // The job left behind was cancelled, the rerun ran after it ended, and nothing of the experiment is left.
        String[] jobs = squeue("-t", "all", "--name=hybrid-" + ID, "-o", "%i|%T|%S|%e").lines()
                .sorted(java.util.Comparator.comparingLong(l -> Long.parseLong(l.split("\\|")[0])))
                .toArray(String[]::new);
        assertThat(jobs).hasSize(2);
        String[] left = jobs[0].split("\\|");
        String[] rerun = jobs[1].split("\\|");
        assertThat(left[0]).isEqualTo(leftJob);
        assertThat(left[1]).isEqualTo("CANCELLED");
        assertThat(rerun[1]).isEqualTo("COMPLETED");
        assertThat(rerun[2]).isGreaterThanOrEqualTo(left[3]);
        assertThat(squeue("--name=hybrid-" + ID)).isEmpty();
    }
}
