package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.Secret;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
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

    @Test
    void thePasswordIsNotStoredTheFilesArePrivateAndAResumeReadsThePasswordFromTheConfigAgain() throws Exception {
        try (MinaServer server = MinaServer.start(dir.resolve("host.key"), List.of())) {
            Files.writeString(dir.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
            Files.writeString(dir.resolve("search_space.json"),
                    "{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"succeed\"]},"
                            + " \"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
            Path configFile = Files.writeString(dir.resolve("config.yml"), String.join("\n",
                    "searchSpaceFile: search_space.json",
                    "trialCommand: sh trial.sh",
                    "trialCodeDirectory: .",
                    "trialConcurrency: 1",
                    "maxTrialNumber: 2",
                    "tuner:",
                    "  name: Random",
                    "trainingService:",
                    "  - platform: remote",
                    "    knownHostsFile: known_hosts",
                    "    machineList:",
                    "      - host: 127.0.0.1",
                    "        port: " + server.port(),
                    "        user: " + MinaServer.USER,
                    "        password: " + MinaServer.PASSWORD,
                    "        remoteDirectory: " + dir.resolve("machine"),
                    ""));
            Path work = dir.resolve("work");
            try (Experiment e = Experiment.builder().config(ConfigLoader.load(configFile)).experimentId("sec1")
                    .workingDirectory(work).build()) {
                assertThat(e.start().awaitCompletion(Duration.ofSeconds(60))).isTrue();
            }
            Path experimentDir = work.resolve("sec1");
            Path db = experimentDir.resolve("db");
            byte[] password = MinaServer.PASSWORD.getBytes(StandardCharsets.UTF_8);
            try (var files = Files.list(db)) {
                for (Path f : files.toList()) {
                    assertThat(indexOf(Files.readAllBytes(f), password)).as("the password in %s", f).isEqualTo(-1);
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("mode of %s", f)
                            .isEqualTo("rw-------");
                }
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(experimentDir)))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rwx------");

            // As an older version stored it: the password inside the stored config.
            try (SqliteExperimentStore old = SqliteExperimentStore.existingForWriting(experimentDir)) {
                old.open();
                StoredExperiment row = old.experiment().orElseThrow();
                old.saveExperiment(row.withConfigJson(row.configJson().replace("\"user\":\"" + MinaServer.USER
                        + "\"", "\"user\":\"" + MinaServer.USER + "\",\"password\":\"" + MinaServer.PASSWORD + "\"")));
                old.commit();
                assertThat(old.experiment().orElseThrow().configJson()).contains(MinaServer.PASSWORD);
            }

            try (Experiment resumed = Experiment.resume(experimentDir).maxTrialNumber(3).build()) {
                ExperimentHandle h = resumed.start();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(h.trials()).hasSize(3).allSatisfy(t -> assertThat(t.status())
                        .isEqualTo(TrialStatus.SUCCEEDED));
            }
            try (var files = Files.list(db)) {
                for (Path f : files.toList()) {
                    assertThat(indexOf(Files.readAllBytes(f), password)).as("the password in %s after the resume", f)
                            .isEqualTo(-1);
                }
            }

            Files.delete(configFile);
            ConfigException gone = catchThrowableOfType(ConfigException.class,
                    () -> Experiment.resume(experimentDir).maxTrialNumber(4).build());
            assertThat(gone.problems()).singleElement().satisfies(p -> {
                assertThat(p.path().value()).isEqualTo("trainingService[0].machineList[0].password");
                assertThat(p.message()).contains(configFile.toString()).contains("no longer exists")
                        .contains("--config").doesNotContain(MinaServer.PASSWORD);
            });
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aMissingKeyFileAndALockedKeyWithoutPassphraseAreConfigProblemsAtTheirPathsBeforeAnythingStarts()
            throws Exception {
        OpenSshServer.assumeInstalled();
        Path locked = dir.resolve("locked_ed25519");
        Process keygen = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "key-words", "-f",
                locked.toString()).redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path configFile = Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: 'true'",
                "trialCodeDirectory: .",
                "trialConcurrency: 1",
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  - platform: remote",
                "    machineList:",
                "      - host: 127.0.0.1",
                "        user: u",
                "        sshKeyFile: no-such-key",
                "      - host: 127.0.0.1",
                "        user: u",
                "        ssh_key_file: locked_ed25519",
                "      - host: 127.0.0.1",
                "        user: u",
                "        sshKeyFile: ~/no-such-dir-" + dir.getFileName() + "/id_rsa",
                ""));
        Path work = dir.resolve("work");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Experiment.builder()
                .config(ConfigLoader.load(configFile)).experimentId("keys1").workingDirectory(work).build());

        assertThat(e.problems()).extracting(p -> p.path().value() + ": " + p.message()).containsExactlyInAnyOrder(
                "trainingService[0].machineList[0].sshKeyFile: SSH key file " + dir.resolve("no-such-key")
                        + " does not exist",
                "trainingService[0].machineList[1].ssh_key_file: SSH key file " + locked
                        + " is encrypted and needs a passphrase (passphrase in a v1 machineList, sshPassphrase in v2)",
                "trainingService[0].machineList[2].sshKeyFile: SSH key file " + System.getProperty("user.home")
                        + "/no-such-dir-" + dir.getFileName() + "/id_rsa does not exist");
        assertThat(work.resolve("keys1")).doesNotExist();
    }

    @Test
    void aMissingDefaultKeyIsAConfigProblemAtTheKeyFilePath() throws Exception {
        Path defaultKey = Path.of(System.getProperty("user.home"), ".ssh", "id_rsa");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(defaultKey), "this account has " + defaultKey);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path configFile = Files.writeString(dir.resolve("config.yml"), String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: 'true'",
                "trialConcurrency: 1",
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  platform: remote",
                "  machineList:",
                "    - host: 127.0.0.1",
                "      user: u",
                ""));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Experiment.builder()
                .config(ConfigLoader.load(configFile)).workingDirectory(dir.resolve("work")).build());

        assertThat(e.problems()).extracting(p -> p.path().value() + ": " + p.message()).containsExactly(
                "trainingService.machineList[0].sshKeyFile: SSH key file " + defaultKey + " does not exist");
    }
}
