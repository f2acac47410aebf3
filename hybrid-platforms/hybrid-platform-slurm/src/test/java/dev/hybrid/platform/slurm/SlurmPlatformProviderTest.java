package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.config.FieldPath;
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

/** Table-driven: a {@code platform: slurm} entry in, the field paths of its problems out; and what a valid one means. */
class SlurmPlatformProviderTest {
    @TempDir
    static Path dir;

    static final String V2 = String.join("\n",
            "searchSpaceFile: search_space.json",
            "trialCommand: python3 trial.py",
            "trialCodeDirectory: .",
            "trialConcurrency: 3",
            "tuner:",
            "  name: Random",
            "trainingService:",
            "  - platform: local",
            "  - platform: slurm",
            "");

    @BeforeEach
    void space() throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    private static ExperimentConfig parse(String yaml) {
        return ConfigLoader.create().parse(yaml, dir, Optional.empty());
    }

    static Stream<Arguments> badConfigs() {
        String at = "trainingService[1].";
        return Stream.of(
                Arguments.of("bad time limit", V2 + "    timeLimit: soon\n", List.of(at + "timeLimit")),
                Arguments.of("no CPUs", V2 + "    trialCpuNumber: 0\n", List.of(at + "trialCpuNumber")),
                Arguments.of("bad memory", V2 + "    trialMemorySize: lots\n", List.of(at + "trialMemorySize")),
                Arguments.of("negative GPUs", V2 + "    trialGpuNumber: -1\n", List.of(at + "trialGpuNumber")),
                Arguments.of("partition with a space", V2 + "    partition: 'a b'\n", List.of(at + "partition")),
                Arguments.of("sbatchArgs not strings", V2 + "    sbatchArgs: [--exclusive, [1]]\n",
                        List.of(at + "sbatchArgs")),
                Arguments.of("sbatchArgs that set the job's name or comment", V2
                        + "    sbatchArgs: [--comment=mine, --nice=5, -J other, --job-name=x]\n",
                        List.of(at + "sbatchArgs[0]", at + "sbatchArgs[2]", at + "sbatchArgs[3]")),
                Arguments.of("concurrency 0", V2 + "    maxConcurrentTrials: 0\n", List.of(at + "maxConcurrentTrials")),
                Arguments.of("reuse mode not a boolean", V2 + "    reuseMode: maybe\n", List.of(at + "reuseMode")),
                Arguments.of("login node without user, bad policy", V2 + "    host: login1\n    hostKeyPolicy: trust\n",
                        List.of(at + "user", at + "hostKeyPolicy")),
                Arguments.of("login settings without host", V2 + "    port: 2222\n    user: me\n",
                        List.of(at + "port", at + "user")),
                Arguments.of("retirement margin without reuse mode", V2 + "    pilotRetirementMargin: 5m\n",
                        List.of(at + "pilotRetirementMargin")),
                Arguments.of("retirement margin not a duration", V2 + "    reuseMode: true\n"
                        + "    pilotRetirementMargin: soon\n", List.of(at + "pilotRetirementMargin")),
                Arguments.of("retirement margin as long as the limit", V2 + "    reuseMode: true\n"
                        + "    timeLimit: '10'\n    pilotRetirementMargin: 10m\n", List.of(at + "pilotRetirementMargin")),
                Arguments.of("typo", V2 + "    partiton: gpu\n", List.of(at + "partiton")));
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
    void anEntryBecomesTheJobsSbatchFlags() {
        ExperimentConfig c = parse(V2 + String.join("\n",
                "    partition: gpu",
                "    account: lab",
                "    qos: short",
                "    timeLimit: '1:30:00'",
                "    trialCpuNumber: 4",
                "    trialMemorySize: 1.5gb",
                "    trialGpuNumber: 2",
                "    sbatchArgs: [--exclusive]",
                "    sharedDirectory: /nfs/hybrid",
                "    pythonPath: /opt/py/bin",
                "    maxConcurrentTrials: 8",
                ""));

        SlurmConfig slurm = (SlurmConfig) c.trainingServices().get(1);

        assertThat(slurm.resources().sbatchFlags()).containsExactly("--partition=gpu", "--account=lab", "--qos=short",
                "--time=1:30:00", "--cpus-per-task=4", "--mem=1536M", "--gres=gpu:2", "--exclusive");
        assertThat(slurm.sharedDirectory()).contains(Path.of("/nfs/hybrid"));
        assertThat(slurm.pythonPath()).contains("/opt/py/bin");
        assertThat(slurm.maxConcurrentTrials()).contains(8);
    }

    @Test
    void aPilotRetiresAtItsMarginOrByDefaultAtTheLargerOfTwoMinutesAndATenthOfItsLimit() {
        SlurmConfig set = (SlurmConfig) parse(V2 + "    reuseMode: true\n    timeLimit: '1:00:00'\n"
                + "    pilotRetirementMargin: 90s\n").trainingServices().get(1);
        assertThat(set.pilotRetirementMargin()).contains(Duration.ofSeconds(90));

        SlurmPlatformOptions options = SlurmPlatformOptions.of("true", dir, 1);
        assertThat(options.pilotRetirementMargin(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(6));
        assertThat(options.pilotRetirementMargin(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(2));
        // Never more than half the limit, so that a short pilot still runs trials.
        assertThat(options.pilotRetirementMargin(Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.withPilotRetirementMargin(Duration.ZERO).pilotRetirementMargin(Duration.ofMinutes(1)))
                .isZero();
    }

    @Test
    void theExperimentsGpuNumberIsEachJobsWhenTheEntryHasNone() {
        ExperimentConfig c = parse(V2.replace("trialConcurrency: 3", "trialConcurrency: 3\ntrialGpuNumber: 1"));

        SlurmConfig slurm = (SlurmConfig) c.trainingServices().get(1);

        assertThat(slurm.resources().sbatchFlags()).containsExactly("--gres=gpu:1");
    }

    @Test
    void aLoginNodeKeepsItsPasswordOutOfProblemsAndNamesWhereItIs() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(V2
                + "    host: login1\n    user: me\n    password: s3cr3t-Pa55\n    port: 0\n"));
        assertThat(e.getMessage()).contains("trainingService[1].port").doesNotContain("s3cr3t-Pa55");

        ExperimentConfig c = parse(V2 + "    host: login1\n    port: 2222\n    user: me\n    password: s3cr3t-Pa55\n"
                + "    hostKeyPolicy: strict\n    knownHostsFile: kh\n");
        SlurmConfig slurm = (SlurmConfig) c.trainingServices().get(1);

        assertThat(slurm.loginNode()).hasValueSatisfying(login -> {
            assertThat(login.describe()).isEqualTo("me@login1:2222");
            assertThat(login.hostKeyPolicy()).isEqualTo(dev.hybrid.ssh.HostKeyPolicy.STRICT);
            assertThat(login.knownHostsFile()).isEqualTo(dir.resolve("kh"));
            assertThat(login.toString()).doesNotContain("s3cr3t-Pa55");
        });
        assertThat(slurm.secretPaths()).extracting(FieldPath::value).containsExactly("trainingService[1].password");
    }
}
