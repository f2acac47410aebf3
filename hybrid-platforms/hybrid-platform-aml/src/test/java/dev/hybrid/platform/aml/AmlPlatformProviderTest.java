package dev.hybrid.platform.aml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Secret;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: an {@code aml} config in, the field paths of its problems out; and what a valid one means. */
class AmlPlatformProviderTest {
    @TempDir
    static Path dir;

    static final String V1 = String.join("\n",
            "trialConcurrency: 2",
            "trainingServicePlatform: aml",
            "searchSpacePath: search_space.json",
            "useAnnotation: false",
            "tuner:",
            "  builtinTunerName: Random",
            "trial:",
            "  command: python3 trial.py",
            "  codeDir: .",
            "  image: msranni/nni",
            "");
    static final String AML_CONFIG = String.join("\n",
            "amlConfig:",
            "  subscriptionId: s",
            "  resourceGroup: g",
            "  workspaceName: w",
            "  computeTarget: c",
            "");

    static final String V2 = String.join("\n",
            "searchSpaceFile: search_space.json",
            "trialCommand: python3 trial.py",
            "trialCodeDirectory: .",
            "trialConcurrency: 2",
            "tuner:",
            "  name: Random",
            "trainingService:",
            "  - platform: aml",
            "    subscriptionId: s",
            "    resourceGroup: g",
            "    workspaceName: w",
            "    computeTarget: c",
            "    dockerImage: msranni/nni",
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
                Arguments.of("v1 no amlConfig", V1, List.of("amlConfig", "amlConfig.subscriptionId",
                        "amlConfig.resourceGroup", "amlConfig.workspaceName", "amlConfig.computeTarget")),
                Arguments.of("v1 no image", V1.replace("  image: msranni/nni\n", "") + AML_CONFIG,
                        List.of("trial.image")),
                Arguments.of("v1 typo", V1 + AML_CONFIG + "  computeTargt: x\n", List.of("amlConfig.computeTargt")),
                Arguments.of("v1 bad per-gpu", V1 + AML_CONFIG + "  maxTrialNumPerGpu: 0\n",
                        List.of("amlConfig.maxTrialNumPerGpu")),
                Arguments.of("v2 no image, blank compute", V2.replace("    dockerImage: msranni/nni\n", "")
                        .replace("computeTarget: c", "computeTarget: ''"),
                        List.of("trainingService[0].dockerImage", "trainingService[0].computeTarget")),
                Arguments.of("v2 half a service principal", V2 + "    tenantId: t\n    clientSecret: x\n",
                        List.of("trainingService[0].clientId")),
                Arguments.of("v2 bad endpoint", V2 + "    resourceManagerEndpoint: management.azure.com\n",
                        List.of("trainingService[0].resourceManagerEndpoint")),
                Arguments.of("v2 bad poll interval", V2 + "    pollInterval: often\n",
                        List.of("trainingService[0].pollInterval")));
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
    void aV1AmlConfigLoadsWithNnisMeaningAndPublicCloudDefaults() {
        ExperimentConfig c = parse(V1 + AML_CONFIG + "  maxTrialNumPerGpu: 2\n");
        AmlConfig aml = (AmlConfig) c.trainingServices().get(0);
        assertThat(aml.workspace()).isEqualTo(new AmlWorkspace("s", "g", "w"));
        assertThat(aml.computeTarget()).isEqualTo("c");
        assertThat(aml.image()).isEqualTo("msranni/nni");
        assertThat(aml.maxTrialNumberPerGpu()).isEqualTo(2);
        assertThat(aml.resourceManagerEndpoint()).isEqualTo(URI.create("https://management.azure.com"));
        assertThat(aml.credentials()).isEqualTo(AmlCredentials.fromEnvironmentOrCli());
        assertThat(aml.secretPaths()).isEmpty();
    }

    @Test
    void aV2EntryWithAServicePrincipalAndSovereignEndpointsKeepsTheSecretOutOfMessages() {
        String yaml = V2 + "    tenantId: t\n    clientId: c1\n    clientSecret: very-secret-9\n"
                + "    authorityHost: https://login.chinacloudapi.cn/\n"
                + "    resourceManagerEndpoint: https://management.chinacloudapi.cn\n"
                + "    pollInterval: 2s\n    maxConcurrentTrials: 3\n";
        AmlConfig aml = (AmlConfig) parse(yaml).trainingServices().get(0);
        assertThat(aml.authorityHost()).isEqualTo(URI.create("https://login.chinacloudapi.cn"));
        assertThat(aml.resourceManagerEndpoint()).isEqualTo(URI.create("https://management.chinacloudapi.cn"));
        assertThat(aml.credentials().clientSecret()).contains(Secret.of("very-secret-9"));
        assertThat(aml.secretPaths()).extracting(FieldPath::value).containsExactly("trainingService[0].clientSecret");
        assertThat(aml.pollInterval()).contains(Duration.ofSeconds(2));
        assertThat(aml.maxConcurrentTrials()).contains(3);
        assertThat(aml.toString()).doesNotContain("very-secret-9");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml + "    computeTargt: x\n"));
        assertThat(e.getMessage()).doesNotContain("very-secret-9");
    }
}
