package dev.hybrid.assessor.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.AssessorProvider;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.internal.Registry;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinAssessorProvidersTest {
    private static final FieldPath CLASS_ARGS = FieldPath.of("assessor.classArgs");

    private Problems problems = new Problems();

    private Assessor create(AssessorProvider provider, Map<String, ?> classArgs) {
        problems = new Problems();
        return provider.create(ConfigNode.of(classArgs, CLASS_ARGS, problems));
    }

    private List<String> problems(AssessorProvider provider, Map<String, ?> classArgs) {
        create(provider, classArgs);
        return problems.list().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void bothAssessorsAreRegisteredUnderTheirNniNames() {
        List<String> names = ServiceLoader.load(AssessorProvider.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("Medianstop", "Curvefitting");
        assertThat(Registry.load().assessorNames()).contains("Medianstop", "Curvefitting");
    }

    @Test
    void medianstopDefaultsToMaximizeFromTheFirstResult() {
        MedianstopAssessor a = (MedianstopAssessor) create(new MedianstopAssessorProvider(), Map.of());
        assertThat(problems.list()).isEmpty();
        assertThat(a.mode()).isEqualTo(OptimizeMode.MAXIMIZE);
        assertThat(a.startStep()).isZero();
    }

    @Test
    void medianstopReadsItsClassArgs() {
        MedianstopAssessor a = (MedianstopAssessor) create(new MedianstopAssessorProvider(),
                Map.of("optimize_mode", "minimize", "start_step", 5));
        assertThat(problems.list()).isEmpty();
        assertThat(a.mode()).isEqualTo(OptimizeMode.MINIMIZE);
        assertThat(a.startStep()).isEqualTo(5);
        assertThat(problems(new MedianstopAssessorProvider(), Map.of("start_step", 9999))).isEmpty();
    }

    @Test
    void medianstopReportsEveryBadClassArgAtItsPath() {
        assertThat(problems(new MedianstopAssessorProvider(),
                Map.of("optimize_mode", "maximise", "start_step", -1, "startstep", 3)))
                .containsExactlyInAnyOrder(
                        "assessor.classArgs.optimize_mode: must be one of [maximize, minimize], was 'maximise'",
                        "assessor.classArgs.start_step: must be in 0..9999, was -1",
                        "assessor.classArgs.startstep: unknown key; known: [optimize_mode, start_step]");
        assertThat(problems(new MedianstopAssessorProvider(), Map.of("start_step", 10_000)))
                .containsExactly("assessor.classArgs.start_step: must be in 0..9999, was 10000");
        assertThat(problems(new MedianstopAssessorProvider(), Map.of("start_step", 2.5)))
                .containsExactly("assessor.classArgs.start_step: must be an integer, was 2.5");
    }

    @Test
    void curvefittingTakesNnisDefaultsBesideTheRequiredEpochNum() {
        CurvefittingAssessor a = (CurvefittingAssessor) create(new CurvefittingAssessorProvider(),
                Map.of("epoch_num", 20));
        assertThat(problems.list()).isEmpty();
        assertThat(a.epochNum()).isEqualTo(20);
        assertThat(a.startStep()).isEqualTo(6);
        assertThat(a.threshold()).isEqualTo(0.95);
        assertThat(a.gap()).isEqualTo(1);
        assertThat(a.mode()).isEqualTo(OptimizeMode.MAXIMIZE);
    }

    @Test
    void curvefittingReadsItsClassArgs() {
        CurvefittingAssessor a = (CurvefittingAssessor) create(new CurvefittingAssessorProvider(), Map.of(
                "epoch_num", 50, "start_step", 10, "threshold", 0.9, "gap", 4, "optimize_mode", "minimize"));
        assertThat(problems.list()).isEmpty();
        assertThat(a.epochNum()).isEqualTo(50);
        assertThat(a.startStep()).isEqualTo(10);
        assertThat(a.threshold()).isEqualTo(0.9);
        assertThat(a.gap()).isEqualTo(4);
        assertThat(a.mode()).isEqualTo(OptimizeMode.MINIMIZE);
        CurvefittingAssessor integral = (CurvefittingAssessor) create(new CurvefittingAssessorProvider(),
                Map.of("epoch_num", 20, "threshold", 1));
        assertThat(problems.list()).isEmpty();
        assertThat(integral.threshold()).isEqualTo(1.0);
    }

    @Test
    void curvefittingWithoutEpochNumIsAProblemAtItsPath() {
        assertThat(problems(new CurvefittingAssessorProvider(), Map.of()))
                .containsExactly("assessor.classArgs.epoch_num: is required: the epoch whose result is predicted, "
                        + "e.g. 20");
        java.util.Map<String, Object> explicitNull = new java.util.HashMap<>();
        explicitNull.put("epoch_num", null);
        assertThat(problems(new CurvefittingAssessorProvider(), explicitNull)).singleElement()
                .asString().startsWith("assessor.classArgs.epoch_num: is required");
    }

    @Test
    void curvefittingReportsEveryBadClassArgAtItsPath() {
        assertThat(problems(new CurvefittingAssessorProvider(), Map.of(
                "epoch_num", 0, "start_step", -2, "threshold", -0.5, "gap", 0, "optimize_mode", "up",
                "epochs", 20)))
                .containsExactlyInAnyOrder(
                        "assessor.classArgs.epoch_num: must be in 1..9999, was 0",
                        "assessor.classArgs.start_step: must be in 0..9999, was -2",
                        "assessor.classArgs.threshold: must be in [0, 9999], was -0.5",
                        "assessor.classArgs.gap: must be in 1..9999, was 0",
                        "assessor.classArgs.optimize_mode: must be one of [maximize, minimize], was 'up'",
                        "assessor.classArgs.epochs: unknown key; known: "
                                + "[epoch_num, start_step, threshold, gap, optimize_mode]");
        assertThat(problems(new CurvefittingAssessorProvider(), Map.of("epoch_num", "20", "threshold", "high")))
                .containsExactlyInAnyOrder(
                        "assessor.classArgs.epoch_num: must be an integer, was '20'",
                        "assessor.classArgs.threshold: must be a number, was 'high'");
    }

    @Test
    void anNniConfigsAssessorSectionIsValidatedAtItsFieldPaths(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("search_space.json"),
                "{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0.0001, 0.1]}}");
        String common = """
                authorName: default
                experimentName: example_mnist
                trialConcurrency: 1
                maxTrialNum: 10
                trainingServicePlatform: local
                searchSpacePath: search_space.json
                tuner:
                  builtinTunerName: Random
                trial:
                  command: python3 mnist.py
                  codeDir: .
                  gpuNum: 0
                """;
        Path good = dir.resolve("good.yml");
        Files.writeString(good, common + """
                assessor:
                  builtinAssessorName: Curvefitting
                  classArgs:
                    epoch_num: 20
                    threshold: 0.9
                """);
        assertThat(assessorProblems(good)).isEmpty();
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, common + """
                assessor:
                  builtinAssessorName: Medianstop
                  classArgs:
                    optimize_mode: maximize
                    start_step: 100000
                """);
        assertThat(assessorProblems(bad))
                .containsExactly("assessor.classArgs.start_step: must be in 0..9999, was 100000");
        Path missing = dir.resolve("missing.yml");
        Files.writeString(missing, common + """
                assessor:
                  builtinAssessorName: Curvefitting
                  classArgs:
                    threshold: 0.9
                """);
        assertThat(assessorProblems(missing)).singleElement().asString()
                .startsWith("assessor.classArgs.epoch_num: is required");
    }

    /** The problems loading {@code file} reports under {@code assessor}; other sections may lack modules here. */
    private static List<String> assessorProblems(Path file) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
        if (e == null) {
            return List.of();
        }
        return e.problems().stream().map(ConfigProblem::toString).filter(s -> s.startsWith("assessor")).toList();
    }
}
