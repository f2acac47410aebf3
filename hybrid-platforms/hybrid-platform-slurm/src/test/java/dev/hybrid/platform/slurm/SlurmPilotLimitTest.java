package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reuse mode against real time limits: pilots of one minute (Slurm's least) with a 55 s retirement margin. A pilot past
 * the margin takes no new trial and ends, a new pilot runs the trials that come after, and a trial still running when
 * its pilot reaches its limit comes back {@code SYS_CANCELED}. The limit is brought forward to 10 s from now with
 * {@code scontrol update EndTime=now+10} (Slurm then ends the job {@code TIMEOUT} at its next limit check, at most 30 s
 * later), rather than waiting out the minute.
 */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmPilotLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Slurm's periodic limit check (every 30 s) and its KillWait, with room for a loaded machine. */
    private static final Duration LIMIT_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private String pilotOf(TrialId id) throws Exception {
        return Files.readString(dir.resolve("limit/trials").resolve(id.value()).resolve(".nni/pilot")).strip();
    }

    private static String state(String jobId) throws Exception {
        return SlurmCluster.current().run("squeue", "-h", "-t", "all", "-j", jobId, "-o", "%T").strip();
    }

    @Test
    void aPilotNearItsLimitRetiresAndATrialCutOffByTheLimitComesBackSysCanceled() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 2)
                .withExperiment("limit", dir.resolve("limit"))
                .withCommandEnvironment(SlurmCluster.current().environment())
                .withPollInterval(Duration.ofMillis(100))
                .withReuseMode(true)
                .withResources(SlurmJobResources.defaults().withTimeLimit("1"))
                .withPilotRetirementMargin(Duration.ofSeconds(55));
        RecordingSink sink = new RecordingSink();
        try (SlurmPlatform slurm = SlurmPlatform.create(options)) {
            slurm.start(sink);
            TrialId endless = TrialId.of("endless");
            TrialId quick = TrialId.of("quick");
            slurm.submit(TrainingPlatformContract.scenarioSpec(endless, 0, TrainingPlatformContract.BLOCK));
            slurm.submit(TrainingPlatformContract.scenarioSpec(quick, 1, TrainingPlatformContract.SUCCEED));
            assertThat(sink.awaitEnded(quick, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
            sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(endless), 1, WAIT);
            String first = pilotOf(endless);
            String second = pilotOf(quick);
            assertThat(second).isNotEqualTo(first);

            // 5 s into its minute the idle pilot has less than the margin left: it ends on its own, before its
            // limit (COMPLETED, not TIMEOUT), and the next trial gets a new allocation. A job that depends on the
            // pilot's end waits for it.
            SlurmCluster.current().run("sbatch", "--wait", "--dependency=afterany:" + second, "--output=/dev/null",
                    "--wrap", "true");
            assertThat(state(second)).isEqualTo("COMPLETED");
            TrialId later = TrialId.of("later");
            slurm.submit(TrainingPlatformContract.scenarioSpec(later, 2, TrainingPlatformContract.SUCCEED));
            assertThat(sink.awaitEnded(later, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(pilotOf(later)).isNotIn(first, second);

            // The pilot that still runs the endless trial reaches its limit: the trial was lost, not failed.
            assertThat(state(first)).isEqualTo("RUNNING");
            // A few seconds ahead: an end time already past when slurmctld gets it is refused.
            SlurmCluster.current().run("scontrol", "update", "jobid=" + first, "EndTime=now+10");
            TrialEvent.Ended cut = sink.awaitEnded(endless, LIMIT_WAIT);
            assertThat(cut.status()).isEqualTo(TrialStatus.SYS_CANCELED);
            assertThat(cut.message()).contains("pilot Slurm job " + first).contains("TIMEOUT");
            assertThat(state(first)).isEqualTo("TIMEOUT");
        }
    }
}
