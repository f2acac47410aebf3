package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.testkit.RecordingListener;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Whole experiments from NNI v2 configs naming {@code platform: slurm}, against a real cluster. */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmExperimentTest {
    @TempDir
    Path dir;

    private ExperimentConfig config(String scenario, int trials, List<String> service) throws Exception {
        Files.writeString(dir.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        Files.writeString(dir.resolve("search_space.json"),
                "{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"" + scenario + "\"]},"
                        + " \"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh",
                "trialCodeDirectory: .",
                "trialConcurrency: 2",
                "maxTrialNumber: " + trials,
                "maxExperimentDuration: 30s",
                "tuner:",
                "  name: Random",
                "  classArgs: {optimize_mode: maximize}",
                "trainingService:"));
        lines.addAll(service);
        lines.add("");
        Files.writeString(dir.resolve("config.yml"), String.join("\n", lines));
        return ConfigLoader.load(dir.resolve("config.yml"));
    }

    private static String slurmConf() {
        return SlurmCluster.current().conf().toString();
    }

    @Test
    void anNniConfigWithPlatformSlurmRunsToTheEnd() throws Exception {
        ExperimentConfig config = config("succeed", 4, List.of(
                "  platform: slurm",
                "  slurmConf: " + slurmConf(),
                "  sharedDirectory: shared",
                "  timeLimit: '10'",
                "  trialCpuNumber: 1",
                "  trialMemorySize: 100mb"));
        try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(90))).isTrue();
            assertThat(h.trials()).hasSize(4).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(t.platform()).isEqualTo("slurm");
                assertThat(t.finalMetric()).hasValueSatisfying(m -> assertThat(m.scalar()).isEqualTo(4.0));
                assertThat(t.intermediate()).extracting(m -> m.scalar()).containsExactly(1.0, 2.0, 3.0);
            });
            String id = e.id();
            // Code, parameters and results live in the shared directory the compute nodes see.
            assertThat(dir.resolve("shared").resolve(id).resolve("nni-code/trial.sh")).exists();
            assertThat(h.trials()).allSatisfy(t -> assertThat(dir.resolve("shared").resolve(id)
                    .resolve("trials").resolve(t.id().value()).resolve("parameter.cfg")).exists());
        }
    }

    @Test
    void reuseModeRunsManyTrialsInFewJobs() throws Exception {
        ExperimentConfig config = config("succeed", 8, List.of(
                "  platform: slurm",
                "  slurmConf: " + slurmConf(),
                "  reuseMode: true"));
        try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(90))).isTrue();
            assertThat(h.trials()).hasSize(8).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(t.finalMetric()).hasValueSatisfying(m -> assertThat(m.scalar()).isEqualTo(4.0));
                assertThat(t.intermediate()).extracting(m -> m.scalar()).containsExactly(1.0, 2.0, 3.0);
            });
            java.util.Set<String> jobs = new java.util.HashSet<>();
            for (Trial t : h.trials()) {
                String seen = Files.readString(dir.resolve("work").resolve(e.id()).resolve("trials")
                        .resolve(t.id().value()).resolve("seen")).strip();
                jobs.add(seen.substring(seen.indexOf("job=") + 4));
            }
            // trialConcurrency 2: two pilot jobs ran the 8 trials.
            assertThat(jobs).hasSizeBetween(1, 2);
        }
    }

    @Test
    void hybridModeRunsTrialsOnLocalAndSlurm() throws Exception {
        ExperimentConfig config = config("succeed", 6, List.of(
                "  - platform: local",
                "  - platform: slurm",
                "    slurmConf: " + slurmConf(),
                "    maxConcurrentTrials: 1"));
        try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(90))).isTrue();
            assertThat(h.trials()).hasSize(6).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
            assertThat(h.trials()).extracting(Trial::platform).contains("local", "slurm");
        }
    }

    @Test
    void closingTheExperimentCancelsEveryJob() throws Exception {
        ExperimentConfig config = config("block", 2, List.of(
                "  platform: slurm",
                "  slurmConf: " + slurmConf()));
        RecordingListener events = new RecordingListener();
        String jobName;
        try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work"))
                .listener(events).build()) {
            jobName = "hybrid-" + e.id();
            ExperimentHandle h = e.start();
            events.await(ev -> ev instanceof RecordingListener.Event.MetricReported, 2, Duration.ofSeconds(60));
            e.close();
            assertThat(h.trials()).hasSize(2).allSatisfy(t -> assertThat(t.status())
                    .isEqualTo(TrialStatus.USER_CANCELED));
        }
        String queue = SlurmCluster.current().run("squeue", "-h", "-t", "all", "--name=" + jobName, "-o", "%i %T");
        assertThat(queue.lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).containsAnyOf(" CANCELLED",
                " COMPLETING"));
    }

    @Test
    void theExperimentsDeadlineCancelsEveryJob() throws Exception {
        ExperimentConfig config = config("block", 2, List.of(
                "  platform: slurm",
                "  slurmConf: " + slurmConf()));
        String jobName;
        // Queued or running at the deadline, every job is cancelled.
        try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work"))
                .maxExecDuration(Duration.ofSeconds(4)).deadlineGrace(Duration.ZERO).build()) {
            jobName = "hybrid-" + e.id();
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(h.trials()).hasSize(2).allSatisfy(t -> assertThat(t.status())
                    .isEqualTo(TrialStatus.USER_CANCELED));
            String queue = SlurmCluster.current().run("squeue", "-h", "-t", "all", "--name=" + jobName, "-o",
                    "%i %T");
            assertThat(queue.lines().toList()).hasSize(2).allSatisfy(l -> assertThat(l).containsAnyOf(" CANCELLED",
                    " COMPLETING"));
        }
    }
}
