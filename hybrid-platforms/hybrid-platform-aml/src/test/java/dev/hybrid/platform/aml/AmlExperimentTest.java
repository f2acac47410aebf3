package dev.hybrid.platform.aml;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole experiments from NNI v2 configs naming {@code aml}, against the fake Azure service. */
class AmlExperimentTest {
    @TempDir
    Path dir;

    private Path config(FakeAzure fake, String scenario, String budget) throws Exception {
        AmlTrials.writeCode(dir.resolve("code"));
        Files.writeString(dir.resolve("search_space.json"),
                "{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"" + scenario + "\"]},"
                        + " \"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        return Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: bash trial.sh",
                "trialCodeDirectory: code",
                "trialConcurrency: 4",
                budget,
                "tuner:",
                "  name: Random",
                "hybridConfig: {dispatch: round-robin}",
                "trainingService:",
                "  - platform: local",
                // Local starts at once: capped, it leaves room for aml, which starts after its upload.
                "    maxTrialConcurrency: 2",
                "  - platform: aml",
                "    subscriptionId: " + FakeAzure.SUBSCRIPTION,
                "    resourceGroup: " + FakeAzure.GROUP,
                "    workspaceName: " + FakeAzure.WORKSPACE,
                "    computeTarget: " + FakeAzure.COMPUTE,
                "    dockerImage: python:3.11-slim",
                "    tenantId: " + FakeAzure.TENANT,
                "    clientId: " + FakeAzure.CLIENT,
                "    clientSecret: " + FakeAzure.SECRET,
                "    authorityHost: " + fake.endpoint(),
                "    resourceManagerEndpoint: " + fake.endpoint(),
                "    pollInterval: 0.1s",
                "    maxConcurrentTrials: 2",
                ""));
    }

    @Test
    void localAndAmlRunOneExperimentToTheEndWithTrialsOnBoth() throws Exception {
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            ExperimentConfig config = ConfigLoader.load(config(fake, "many", "maxTrialNumber: 8"));
            try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
                ExperimentHandle h = e.start();
                assertThat(h.awaitCompletion(Duration.ofSeconds(120))).isTrue();
                List<Trial> trials = h.trials();
                assertThat(trials).hasSize(8).allSatisfy(t -> {
                    assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
                    assertThat(t.finalMetric()).isPresent();
                    assertThat(t.intermediate()).hasSize(30);
                });
                assertThat(trials).extracting(Trial::platform).contains("local", "aml");
                assertThat(fake.jobs()).isNotEmpty().allSatisfy(j -> assertThat(j.status()).isEqualTo("Completed"));
            }
            // The client secret is not in the experiment's files.
            try (Stream<Path> files = Files.walk(dir.resolve("work"))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
                            .as("file %s", f).doesNotContain(FakeAzure.SECRET);
                }
            }
        }
    }

    @Test
    void stoppingTheExperimentCancelsEveryQueuedOrRunningJob() throws Exception {
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            fake.holdQueued = true;
            ExperimentConfig config = ConfigLoader.load(config(fake, "block", "maxTrialNumber: 8"));
            try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
                ExperimentHandle h = e.start();
                assertThat(fake.awaitJobs(2, Duration.ofSeconds(60))).isTrue();
                h.stop();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(h.trials()).hasSize(4)
                        .allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.USER_CANCELED));
            }
            assertThat(fake.jobs()).hasSize(2).allSatisfy(j -> {
                assertThat(j.status()).isEqualTo("Canceled");
                assertThat(j.process).isNull();
            });
        }
    }

    @Test
    void theDeadlineCancelsEveryQueuedOrRunningJob() throws Exception {
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            fake.nodes = 1;
            Path file = config(fake, "block", "maxExperimentDuration: 5s\ndeadlineGrace: 0");
            ExperimentConfig config = ConfigLoader.load(file);
            try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
                ExperimentHandle h = e.start();
                assertThat(fake.awaitJobs(2, Duration.ofSeconds(60))).isTrue();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(h.trials()).hasSize(4)
                        .allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.USER_CANCELED));
            }
            // Every job is cancelled and no job's process is left. Whether the queued job ever ran is a race, as on
            // the real service: the running job's cancel frees the one node, which may go to the queued job before
            // its own cancel arrives.
            assertThat(fake.jobs()).hasSize(2).allSatisfy(j -> assertThat(j.status()).isEqualTo("Canceled"))
                    .allSatisfy(j -> assertThat(j.process == null || !j.process.isAlive()).as("process of a job")
                            .isTrue())
                    .anySatisfy(j -> assertThat(j.process).isNotNull());
        }
    }
}
