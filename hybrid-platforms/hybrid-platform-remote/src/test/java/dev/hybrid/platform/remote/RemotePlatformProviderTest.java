package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: a machineList in, the field paths of its problems out; and what a valid one means. */
class RemotePlatformProviderTest {
    @TempDir
    static Path dir;

    static final String V1 = String.join("\n",
            "trialConcurrency: 2",
            "trainingServicePlatform: remote",
            "searchSpacePath: search_space.json",
            "useAnnotation: false",
            "tuner:",
            "  builtinTunerName: Random",
            "trial:",
            "  command: python3 trial.py",
            "  codeDir: .",
            "  gpuNum: 0",
            "");

    static final String V2 = String.join("\n",
            "searchSpaceFile: search_space.json",
            "trialCommand: python3 trial.py",
            "trialCodeDirectory: .",
            "trialConcurrency: 2",
            "tuner:",
            "  name: Random",
            "trainingService:",
            "  - platform: remote",
            "    machineList:",
            "      - host: h0",
            "        user: u",
            "        password: p",
            "");

    @BeforeEach
    void space() throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    private static ExperimentConfig parse(String yaml) {
        return ConfigLoader.create().parse(yaml, dir, Optional.empty());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("v1 no machineList", V1, List.of("machineList")),
                Arguments.of("v1 empty machineList", V1 + "machineList: []\n", List.of("machineList")),
                Arguments.of("v1 port 0 and no user", V1 + "machineList:\n  - ip: h\n    port: 0\n    passwd: p\n",
                        List.of("machineList[0].port", "machineList[0].username")),
                Arguments.of("v1 no credentials", V1 + "machineList:\n  - ip: h\n    username: u\n",
                        List.of("machineList[0]")),
                Arguments.of("v1 typo", V1 + "machineList:\n  - ip: h\n    username: u\n    passwd: p\n"
                        + "    pythonPth: /x\n", List.of("machineList[0].pythonPth")),
                Arguments.of("v1 second machine", V1 + "machineList:\n  - ip: h\n    username: u\n    passwd: p\n"
                        + "  - ip: ''\n    username: u\n    sshKeyPath: k\n    gpuIndices: a,b\n",
                        List.of("machineList[1].ip", "machineList[1].gpuIndices")),
                Arguments.of("v1 bad policy", V1 + "remoteConfig:\n  reuse: true\n  hostKeyPolicy: yes-please\n"
                        + "machineList:\n  - ip: h\n    username: u\n    passwd: p\n",
                        List.of("remoteConfig.hostKeyPolicy")),
                Arguments.of("v2 host missing, bad port", V2 + "  - platform: remote\n    machineList:\n"
                        + "      - user: u\n        port: 70000\n        password: p\n",
                        List.of("trainingService[1].machineList[0].host", "trainingService[1].machineList[0].port")),
                Arguments.of("v2 concurrency 0", V2 + "  - platform: remote\n    machineList:\n"
                        + "      - host: h\n        user: u\n        password: p\n        maxConcurrentTrials: 0\n",
                        List.of("trainingService[1].machineList[0].maxConcurrentTrials")),
                Arguments.of("v2 relative remote directory", V2 + "  - platform: remote\n    machineList:\n"
                        + "      - host: h\n        user: u\n        password: p\n        remoteDirectory: tmp/x\n",
                        List.of("trainingService[1].machineList[0].remoteDirectory")),
                Arguments.of("v2 unknown entry key", V2 + "  - platform: remote\n    machineLst: []\n",
                        List.of("trainingService[1].machineList", "trainingService[1].machineLst")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void problemsAreReportedAtTheirFieldPaths(String name, String yaml, List<String> paths) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.problems()).extracting(ConfigProblem::path).extracting(FieldPath::value)
                .containsExactlyInAnyOrderElementsOf(paths);
    }

    @Test
    void messagesSayWhatWasExpectedAndNeverShowAPassword() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(V1 + "machineList:\n"
                + "  - ip: h\n    username: u\n    passwd: 12345678\n    port: 0\n    passphrase: [1]\n"));
        assertThat(e.getMessage()).contains("machineList[0].port: must be in 1..65535, was 0")
                .doesNotContain("12345678");
        ConfigException e2 = catchThrowableOfType(ConfigException.class, () -> parse(V2
                + "  - platform: remote\n    machineList:\n      - host: h\n        user: u\n"
                + "        password: {nested: s3cr3t-Pa55}\n"));
        assertThat(e2.getMessage()).contains("trainingService[1].machineList[0].password: must be a string")
                .doesNotContain("s3cr3t-Pa55");
    }

    @Test
    void aV1MachineListLoadsWithNnisMeaning() {
        ExperimentConfig c = parse(V1 + "remoteConfig:\n  reuse: false\n  hostKeyPolicy: strict\n"
                + "  knownHostsFile: kh\nmachineList:\n"
                + "  - ip: 10.0.0.5\n    username: bob\n    passwd: pw\n    gpuIndices: '0,2'\n"
                + "    maxTrialNumPerGpu: 2\n    useActiveGpu: true\n    pythonPath: /opt/py/bin\n"
                + "  - ip: 10.0.0.6\n    port: 2222\n    username: eve\n    sshKeyPath: keys/id\n"
                + "    passphrase: pp\n    maxConcurrentTrials: 4\n    remoteDirectory: /scratch/hy\n");
        RemoteConfig r = (RemoteConfig) c.trainingServices().get(0);
        assertThat(r.hostKeyPolicy()).isEqualTo(HostKeyPolicy.STRICT);
        assertThat(r.knownHostsFile()).isEqualTo(dir.resolve("kh"));
        RemoteMachine a = r.machines().get(0);
        assertThat(a.host()).isEqualTo("10.0.0.5");
        assertThat(a.port()).isEqualTo(22);
        assertThat(a.password()).contains(Secret.of("pw"));
        assertThat(a.gpuIndices()).contains(List.of(0, 2));
        assertThat(a.maxTrialsPerGpu()).isEqualTo(2);
        assertThat(a.useActiveGpu()).isTrue();
        assertThat(a.pythonPath()).contains("/opt/py/bin");
        assertThat(a.slots(Optional.of(1))).isEqualTo(4);
        assertThat(a.slots(Optional.of(0))).isEqualTo(1);
        assertThat(a.toString()).doesNotContain("pw,").contains("****");
        RemoteMachine b = r.machines().get(1);
        assertThat(b.keyFile()).contains(dir.resolve("keys/id"));
        assertThat(b.passphrase()).contains(Secret.of("pp"));
        assertThat(b.slots(Optional.empty())).isEqualTo(4);
        assertThat(b.remoteDirectory()).isEqualTo("/scratch/hy");
    }

    @Test
    void aV2EntryLoadsWithItsOwnSpellingAndDefaults() {
        ExperimentConfig c = parse(V2 + "  - platform: remote\n    reuseMode: true\n    machineList:\n"
                + "      - host: example.org\n        user: u\n        ssh_key_file: ~/.ssh/other\n"
                + "        sshPassphrase: pp\n        maxTrialNumberPerGpu: 3\n"
                + "      - host: h2\n        user: u\n");
        RemoteConfig r = (RemoteConfig) c.trainingServices().get(1);
        assertThat(r.path().value()).isEqualTo("trainingService[1]");
        assertThat(r.hostKeyPolicy()).isEqualTo(HostKeyPolicy.ACCEPT_NEW);
        assertThat(r.knownHostsFile()).isEqualTo(RemotePlatformOptions.defaultKnownHostsFile());
        assertThat(r.machines().get(0).keyFile()).contains(Path.of(System.getProperty("user.home"), ".ssh/other"));
        assertThat(r.machines().get(0).maxTrialsPerGpu()).isEqualTo(3);
        assertThat(r.machines().get(1).keyFile()).contains(Path.of(System.getProperty("user.home"), ".ssh/id_rsa"));
    }
}
