package dev.hybrid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** NNI configs naming Evolution, Anneal, BatchTuner and PBTTuner load; bad classArgs are reported at their paths. */
class NniTunerNamesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void writeSpace() throws IOException {
        Files.writeString(dir.resolve("search_space.json"), "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    private static String v1(String tuner, String classArgs) {
        return String.join("\n", "authorName: me", "experimentName: demo", "trialConcurrency: 1", "maxTrialNum: 4",
                "trainingServicePlatform: local", "searchSpacePath: search_space.json", "tuner:",
                "  builtinTunerName: " + tuner, classArgs.isEmpty() ? "" : "  classArgs:\n" + classArgs,
                "trial:", "  command: python3 trial.py", "  codeDir: .", "  gpuNum: 0", "");
    }

    private static String v2(String tuner, String classArgs) {
        return String.join("\n", "searchSpaceFile: search_space.json", "trialCommand: python3 trial.py",
                "trialCodeDirectory: .", "trialConcurrency: 1", "tuner:", "  name: " + tuner,
                classArgs.isEmpty() ? "" : "  classArgs:\n" + classArgs, "trainingService:", "  platform: local", "");
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("Evolution", "    optimize_mode: maximize\n    population_size: 100"),
                Arguments.of("Anneal", "    optimize_mode: minimize\n    parallel_optimize: true\n"
                        + "    constant_liar_type: mean"),
                Arguments.of("BatchTuner", ""),
                Arguments.of("Batch", ""),
                Arguments.of("PBTTuner", "    optimize_mode: maximize\n    all_checkpoint_dir: /shared/ck\n"
                        + "    population_size: 8\n    factor: 0.3\n    resample_probability: 0.1\n    fraction: 0.25"),
                Arguments.of("PBT", "    optimize_mode: minimize"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void anNniConfigNamingTheTunerLoads(String tuner, String classArgs) {
        for (String yaml : List.of(v1(tuner, classArgs), v2(tuner, classArgs))) {
            ExperimentConfig c = ConfigLoader.create().parse(yaml, dir, Optional.empty());
            assertThat(c.tuner().orElseThrow().name()).isEqualTo(tuner);
        }
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("Evolution", "    population_size: 1\n    seed: 3",
                        List.of("tuner.classArgs.population_size", "tuner.classArgs.seed")),
                Arguments.of("Evolution", "    optimize_mode: best", List.of("tuner.classArgs.optimize_mode")),
                Arguments.of("Anneal", "    constant_liar_type: best\n    parallel_optimize: 2",
                        List.of("tuner.classArgs.constant_liar_type", "tuner.classArgs.parallel_optimize")),
                Arguments.of("BatchTuner", "    optimize_mode: maximize", List.of("tuner.classArgs.optimize_mode")),
                Arguments.of("PBTTuner", "    all_checkpoint_dir: relative/ck\n    factor: 1\n    fraction: 0.6\n"
                        + "    resample_probability: -0.1\n    population_size: 1\n    gamma: 1",
                        List.of("tuner.classArgs.all_checkpoint_dir", "tuner.classArgs.factor",
                                "tuner.classArgs.fraction", "tuner.classArgs.resample_probability",
                                "tuner.classArgs.population_size", "tuner.classArgs.gamma")),
                Arguments.of("SMAC", "    optimize_mode: maximize", List.of("tuner.builtinTunerName")));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("invalid")
    void badClassArgsAreReportedAtTheirPaths(String tuner, String classArgs, List<String> paths) {
        assertThatThrownBy(() -> ConfigLoader.create().parse(v1(tuner, classArgs), dir, Optional.empty()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .extracting(p -> p.path().value()).containsExactlyInAnyOrderElementsOf(paths));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smacSpellings")
    void smacIsRefusedNamingTheClosestTuner(String yaml, String path) {
        assertThatThrownBy(() -> ConfigLoader.create().parse(yaml, dir, Optional.empty()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    ConfigProblem p = e.problems().get(0);
                    assertThat(p.path().value()).isEqualTo(path);
                    assertThat(p.message()).startsWith("SMAC is not available").contains("TPE is the closest");
                });
    }

    static Stream<Arguments> smacSpellings() {
        return Stream.of(Arguments.of(v1("SMAC", "    optimize_mode: maximize"), "tuner.builtinTunerName"),
                Arguments.of(v2("SMAC", "    optimize_mode: maximize"), "tuner.name"));
    }
}
