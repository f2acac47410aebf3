package dev.hybrid.platform.openpai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: a PAI section in, the field paths of its problems out; and what a valid one means. */
class OpenPaiPlatformProviderTest {
    @TempDir
    static Path dir;

    static final String V1_HEAD = String.join("\n",
            "trialConcurrency: 2",
            "trainingServicePlatform: pai",
            "searchSpacePath: search_space.json",
            "useAnnotation: false",
            "tuner:",
            "  builtinTunerName: Random",
            "");

    static final String V1_TRIAL = String.join("\n",
            "trial:",
            "  command: python3 mnist.py",
            "  codeDir: .",
            "  gpuNum: 0",
            "  cpuNum: 1",
            "  memoryMB: 8196",
            "  image: msranni/nni:latest",
            "  nniManagerNFSMountPath: /mnt/local-nfs",
            "  containerNFSMountPath: /mnt/confignfs-data",
            "  paiStorageConfigName: confignfs-data",
            "");

    static final String V1_PAI = String.join("\n",
            "paiConfig:",
            "  userName: alice",
            "  token: secret-token-1234",
            "  host: 10.10.10.10",
            "");

    static final String V2_HEAD = String.join("\n",
            "searchSpaceFile: search_space.json",
            "trialCommand: python3 mnist.py",
            "trialGpuNumber: 0",
            "trialConcurrency: 3",
            "tuner:",
            "  name: Random",
            "trainingService:",
            "  platform: openpai",
            "");

    static final String V2_SERVICE = String.join("\n",
            "  host: http://pai.example.com:8080/",
            "  username: alice",
            "  token: secret-token-1234",
            "  dockerImage: msranni/nni",
            "  trialCpuNumber: 2",
            "  trialMemorySize: 8GB",
            "  storageConfigName: confignfs-data",
            "  localStorageMountPoint: local-nfs",
            "  containerStorageMountPoint: /mnt/confignfs-data",
            "");

    @BeforeEach
    void space() throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    private static ExperimentConfig parse(String yaml) {
        return ConfigLoader.create().parse(yaml, dir, Optional.empty());
    }

    private static OpenPaiConfig pai(String yaml) {
        return (OpenPaiConfig) parse(yaml).trainingServices().get(0);
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("v1 without paiConfig", V1_HEAD + V1_TRIAL, List.of("paiConfig", "paiConfig.userName",
                        "paiConfig.token", "paiConfig.host")),
                Arguments.of("v1 without the trial's PAI keys", V1_HEAD + V1_PAI
                        + "trial:\n  command: python3 mnist.py\n  codeDir: .\n",
                        List.of("trial.image", "trial.cpuNum", "trial.memoryMB", "trial.nniManagerNFSMountPath",
                                "trial.containerNFSMountPath", "trial.paiStorageConfigName")),
                Arguments.of("v1 password instead of token", V1_HEAD + V1_TRIAL
                        + "paiConfig:\n  userName: alice\n  passWord: pw\n  host: h\n", List.of("paiConfig.passWord")),
                Arguments.of("v1 unknown key", V1_HEAD + V1_TRIAL + V1_PAI + "  colour: red\n",
                        List.of("paiConfig.colour")),
                Arguments.of("v2 relative container mount, bad memory", V2_HEAD
                        + V2_SERVICE.replace("/mnt/confignfs-data", "mnt").replace("8GB", "lots"),
                        List.of("trainingService.containerStorageMountPoint", "trainingService.trialMemorySize")),
                Arguments.of("v2 bad host", V2_HEAD + V2_SERVICE.replace("http://pai.example.com:8080/", "ftp://x"),
                        List.of("trainingService.host")),
                Arguments.of("v2 missing protocol file", V2_HEAD + V2_SERVICE + "  openpaiConfigFile: nope.yaml\n",
                        List.of("trainingService.openpaiConfigFile")),
                Arguments.of("v2 no token", V2_HEAD + V2_SERVICE.replace("  token: secret-token-1234\n", ""),
                        List.of("trainingService.token")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void problemsAreReportedAtTheirFieldPaths(String name, String yaml, List<String> paths) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));

        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.problems()).extracting(p -> p.path().toString()).containsExactlyInAnyOrderElementsOf(paths);
        assertThat(e.getMessage()).doesNotContain("secret-token-1234");
        assertThat(e.problems()).extracting(ConfigProblem::message).noneMatch(m -> m.contains("secret-token-1234"));
    }

    @Test
    void v1ReadsPaiConfigAndTheTrialsKeysAndAddsHttpsToABareHost() {
        OpenPaiConfig c = pai(V1_HEAD + V1_TRIAL + V1_PAI + "  reuse: true\n");

        assertThat(c.host().toString()).isEqualTo("https://10.10.10.10");
        assertThat(c.user()).isEqualTo("alice");
        assertThat(c.token().reveal()).isEqualTo("secret-token-1234");
        assertThat(c.cpu()).isEqualTo(1);
        assertThat(c.memoryMb()).isEqualTo(8196);
        assertThat(c.localMount()).isEqualTo(Path.of("/mnt/local-nfs"));
        assertThat(c.containerMount()).isEqualTo("/mnt/confignfs-data");
        assertThat(c.storageConfigName()).isEqualTo("confignfs-data");
        assertThat(c.reuse()).isTrue();
        assertThat(c.secretPaths()).extracting(Object::toString).containsExactly("paiConfig.token");
        assertThat(c.toString()).doesNotContain("secret-token-1234");
    }

    @Test
    void v2ReadsTheEntryWithItsMemorySizeAndHybridKeys() {
        OpenPaiConfig c = pai(V2_HEAD + V2_SERVICE + "  reuseMode: true\n  virtualCluster: default\n"
                + "  maxSubmissionsPerHour: 30\n  pollInterval: 2s\n  maxConcurrentTrials: 5\n");

        assertThat(c.host().toString()).isEqualTo("http://pai.example.com:8080");
        assertThat(c.memoryMb()).isEqualTo(8192);
        assertThat(c.cpu()).isEqualTo(2);
        assertThat(c.dockerImage()).isEqualTo("msranni/nni");
        assertThat(c.localMount()).isEqualTo(dir.resolve("local-nfs"));
        assertThat(c.virtualCluster()).contains("default");
        assertThat(c.maxSubmissionsPerHour()).isEqualTo(30);
        assertThat(c.maxConcurrentTrials()).contains(5);
        assertThat(c.pollInterval()).hasSeconds(2);
        assertThat(c.secretPaths()).extracting(Object::toString).containsExactly("trainingService.token");
    }

    @Test
    void aUserProtocolFileIsReadAndMakesTheResourceKeysOptional() throws Exception {
        Files.writeString(dir.resolve("job.yaml"), String.join("\n",
                "protocolVersion: 2",
                "name: mine",
                "type: job",
                "prerequisites: [{type: dockerimage, uri: python:3.11, name: image}]",
                "taskRoles:",
                "  worker: {instances: 1, dockerImage: image, resourcePerInstance: {cpu: 1, memoryMB: 1024, gpu: 0},"
                        + " commands: [python3 mnist.py]}",
                ""));
        String v1 = V1_HEAD + V1_PAI + "trial:\n  command: python3 mnist.py\n  codeDir: .\n"
                + "  nniManagerNFSMountPath: /mnt/local-nfs\n  containerNFSMountPath: /mnt/confignfs-data\n"
                + "  paiStorageConfigName: confignfs-data\n  paiConfigPath: job.yaml\n";

        OpenPaiConfig c = pai(v1);

        assertThat(c.userProtocol()).isPresent();
        assertThat(c.userProtocol().get()).containsEntry("name", "mine").containsKey("taskRoles");
        @SuppressWarnings("unchecked")
        Map<String, Object> roles = (Map<String, Object>) c.userProtocol().get().get("taskRoles");
        assertThat(roles).containsKey("worker");
    }
}
