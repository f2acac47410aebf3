package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.FieldPath;
import java.net.URI;
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

/** Table-driven: the slurmrestd keys of a {@code platform: slurm} entry in, the field paths of its problems out. */
class SlurmRestConfigTest {
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig";

    @TempDir
    static Path dir;

    static final String V2 = SlurmPlatformProviderTest.V2 + "    restUrl: http://127.0.0.1:6820\n";

    @BeforeEach
    void space() throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    private static ExperimentConfig parse(String yaml) {
        return ConfigLoader.create().parse(yaml, dir, Optional.empty());
    }

    static Stream<Arguments> badConfigs() {
        String at = "trainingService[1].";
        String token = "    restToken: " + TOKEN + "\n";
        return Stream.of(
                Arguments.of("no token", V2, List.of(at + "restUrl")),
                Arguments.of("token and token file", V2 + token + "    restTokenFile: jwt\n",
                        List.of(at + "restTokenFile")),
                Arguments.of("not an http URL", V2.replace("http://127.0.0.1:6820", "ftp://x") + token,
                        List.of(at + "restUrl")),
                Arguments.of("a version Hybrid does not speak", V2 + token + "    restApiVersion: v0.0.40\n",
                        List.of(at + "restApiVersion")),
                Arguments.of("sbatch flags with no REST field", V2 + token
                        + "    sbatchArgs: [--nice=5, --tmp=10G, --exclusive, -w node1]\n",
                        List.of(at + "sbatchArgs[1]", at + "sbatchArgs[2]", at + "sbatchArgs[3]")),
                Arguments.of("an unlimited time", V2 + token + "    timeLimit: UNLIMITED\n", List.of(at + "timeLimit")),
                Arguments.of("with a login node", V2 + token + "    host: login1\n    user: me\n",
                        List.of(at + "restUrl")),
                Arguments.of("REST keys without restUrl", SlurmPlatformProviderTest.V2 + token
                        + "    restUser: me\n", List.of(at + "restToken", at + "restUser")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void problemsAreReportedAtTheirFieldPaths(String name, String yaml, List<String> paths) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("a ConfigException").isNotNull();
        assertThat(e.problems()).extracting(ConfigProblem::path).extracting(FieldPath::value)
                .containsExactlyInAnyOrderElementsOf(paths);
        assertThat(e.getMessage()).doesNotContain(TOKEN);
    }

    @Test
    void anUnmappedFlagIsNamedWithTheFlagsThatAre() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(V2 + "    restToken: t\n"
                + "    sbatchArgs: [--tmp=10G]\n"));

        assertThat(e.getMessage()).contains("trainingService[1].sbatchArgs[0]")
                .contains("sbatch flag --tmp has no field in slurmrestd's job submission").contains("--constraint");
    }

    @Test
    void theTokenIsASecretAndTheRestKeysAreRead() {
        ExperimentConfig c = parse(V2 + "    restToken: " + TOKEN + "\n    restUser: alice\n"
                + "    restApiVersion: v0.0.37\n    sbatchArgs: [--constraint=a100, -C a100, --requeue, --no-requeue]\n");

        SlurmConfig slurm = (SlurmConfig) c.trainingServices().get(1);

        assertThat(slurm.rest()).hasValueSatisfying(rest -> {
            assertThat(rest.url()).isEqualTo(URI.create("http://127.0.0.1:6820"));
            assertThat(rest.user()).isEqualTo("alice");
            assertThat(rest.apiVersion()).contains("v0.0.37");
            assertThat(rest.toString()).doesNotContain(TOKEN);
        });
        assertThat(slurm.secretPaths()).extracting(FieldPath::value).containsExactly("trainingService[1].restToken");
        assertThat(slurm.toString()).doesNotContain(TOKEN);
    }

    @Test
    void aTokenFileIsResolvedAgainstTheConfigsFolder() {
        ExperimentConfig c = parse(V2 + "    restTokenFile: secrets/jwt\n");

        SlurmConfig slurm = (SlurmConfig) c.trainingServices().get(1);

        assertThat(slurm.rest()).hasValueSatisfying(rest -> {
            assertThat(rest.tokenFile()).contains(dir.resolve("secrets/jwt"));
            assertThat(rest.user()).isEqualTo(System.getProperty("user.name"));
        });
        assertThat(slurm.secretPaths()).isEmpty();
    }
}
