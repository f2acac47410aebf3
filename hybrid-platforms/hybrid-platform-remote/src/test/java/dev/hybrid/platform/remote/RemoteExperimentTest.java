package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.Secret;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole experiment from an NNI v2 config naming {@code platform: remote}, against an in-process SSH server. */
class RemoteExperimentTest {
    @TempDir
    Path dir;

    @Test
    void anNniConfigWithARemoteMachineRunsToTheEnd() throws Exception {
        try (MinaServer server = MinaServer.start(dir.resolve("host.key"), List.of())) {
            Files.writeString(dir.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
            Files.writeString(dir.resolve("search_space.json"),
                    "{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"succeed\"]},"
                            + " \"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
            Files.writeString(dir.resolve("config.yml"), String.join("\n",
                    "searchSpaceFile: search_space.json",
                    "trialCommand: sh trial.sh",
                    "trialCodeDirectory: .",
                    "trialConcurrency: 3",
                    "maxTrialNumber: 6",
                    "tuner:",
                    "  name: Random",
                    "  classArgs: {optimize_mode: maximize}",
                    "trainingService:",
                    "  platform: remote",
                    "  knownHostsFile: known_hosts",
                    "  machineList:",
                    "    - host: 127.0.0.1",
                    "      port: " + server.port(),
                    "      user: " + MinaServer.USER,
                    "      password: " + MinaServer.PASSWORD,
                    "      maxConcurrentTrials: 3",
                    "      remoteDirectory: " + dir.resolve("machine"),
                    ""));
            ExperimentConfig config = ConfigLoader.load(dir.resolve("config.yml"));
            try (Experiment e = Experiment.builder().config(config).workingDirectory(dir.resolve("work")).build()) {
                ExperimentHandle h = e.start();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(h.trials()).hasSize(6).allSatisfy(t -> {
                    assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
                    assertThat(t.finalMetric()).isPresent();
                });
                assertThat(h.trials()).extracting(Trial::id).doesNotHaveDuplicates();
            }
        }
    }

    @Test
    void aPlatformBuiltInCodeTakesTheExperimentsId() throws Exception {
        try (MinaServer server = MinaServer.start(dir.resolve("host.key"), List.of())) {
            Path code = Files.createDirectories(dir.resolve("code"));
            RemoteMachine machine = RemoteMachine.withPassword("127.0.0.1", server.port(), MinaServer.USER,
                    Secret.of(MinaServer.PASSWORD)).withRemoteDirectory(dir.resolve("machine").toString());
            RemotePlatform platform = RemotePlatform.create(RemotePlatformOptions.of(
                    "echo \"$NNI_EXP_ID\" > \"$NNI_SYS_DIR/exp-id\"; echo \"NNISDK_MEb'{\\\"type\\\": "
                            + "\\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"2\\\"}'\"",
                    code, List.of(machine)).withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW));

            try (Experiment e = Experiment.builder().experimentId("coded1").workingDirectory(dir.resolve("work"))
                    .searchSpace(SearchSpace.of(new Uniform("x", 0, 1))).tuner("Random", Map.of())
                    .maxTrialNumber(1).platform(platform).build()) {
                ExperimentHandle h = e.start();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();

                Trial trial = h.trials().get(0);
                assertThat(trial.status()).isEqualTo(TrialStatus.SUCCEEDED);
                Path sysDir = dir.resolve("machine").resolve("coded1").resolve("trials").resolve(trial.id().value());
                assertThat(Files.readString(sysDir.resolve("exp-id")).strip()).isEqualTo("coded1");
            }
        }
    }
}
