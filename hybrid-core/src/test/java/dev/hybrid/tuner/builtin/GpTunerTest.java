package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.QUniform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.GpTuner.Settings;
import dev.hybrid.tuner.builtin.GpTuner.Utility;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class GpTunerTest {
    private static final FieldPath CLASS_ARGS = FieldPath.of("tuner.classArgs");
    private static final SearchSpace PLANE = new SearchSpace(List.of(new Uniform("x", -1, 1), new Uniform("y", -1, 1)));

    /** A smooth bowl with its minimum 0 at (0.3, −0.2). */
    private static double bowl(Parameters p) {
        double dx = p.getDouble("x") - 0.3;
        double dy = p.getDouble("y") + 0.2;
        return dx * dx + dy * dy;
    }

    private static Settings settings(Utility utility, double nu) {
        return new Settings(OptimizeMode.MINIMIZE, utility, 2.0, 0.0, nu, 1e-6, 6, 500, 4);
    }

    /** Runs {@code n} sequential trials and returns the best value. */
    private static double best(Tuner tuner, SearchSpace space, int n, ToDoubleFunction<Parameters> f) {
        tuner.updateSearchSpace(space);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) tuner.suggest(id)).parameters();
            double v = f.applyAsDouble(p);
            best = Math.min(best, v);
            tuner.onResult(id, p, v);
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        return best;
    }

    @ParameterizedTest
    @EnumSource(Utility.class)
    void everyUtilityHomesInOnTheMinimumOfABowl(Utility utility) {
        double gp = best(new GpTuner(settings(utility, 2.5), new SplittableRandom(3)), PLANE, 20, GpTunerTest::bowl);
        double random = best(new RandomTuner(new SplittableRandom(3)), PLANE, 20, GpTunerTest::bowl);
        assertThat(gp).isLessThan(1e-3).isLessThan(random / 10);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1.5, Double.POSITIVE_INFINITY})
    void theOtherKernelsWorkToo(double nu) {
        assertThat(best(new GpTuner(settings(Utility.EI, nu), new SplittableRandom(4)), PLANE, 20, GpTunerTest::bowl))
                .isLessThan(1e-2);
    }

    @Test
    void theDefaultKernelIsNnisMaternFiveHalvesAndRbfRemainsSelectable() {
        Problems problems = new Problems();
        Tuner byDefault = new GpTunerProvider().create(ConfigNode.of(Map.of(), CLASS_ARGS, problems),
                TunerContext.seeded(1));
        Tuner rbf = new GpTunerProvider().create(
                ConfigNode.of(Map.of("nu", Double.POSITIVE_INFINITY), CLASS_ARGS, problems), TunerContext.seeded(1));
        assertThat(problems.list()).isEmpty();
        assertThat(((GpTuner) byDefault).settings().nu()).isEqualTo(2.5);
        assertThat(Settings.defaults().nu()).isEqualTo(2.5);
        assertThat(((GpTuner) rbf).settings().nu()).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void maximizeModeClimbsInsteadOfDescending() {
        Settings max = new Settings(OptimizeMode.MAXIMIZE, Utility.EI, 2.0, 0.0, 2.5, 1e-6, 6, 500, 4);
        // the tuner maximises −bowl, so its lowest bowl value is the best it found
        GpTuner tuner = new GpTuner(max, new SplittableRandom(5));
        double[] lowest = {Double.POSITIVE_INFINITY};
        best(tuner, PLANE, 20, p -> {
            lowest[0] = Math.min(lowest[0], bowl(p));
            return -bowl(p);
        });
        assertThat(lowest[0]).isLessThan(1e-3);
    }

    @Test
    void pendingTrialsAreSpreadOutByTheKrigingBeliever() {
        GpTuner tuner = new GpTuner(settings(Utility.EI, 2.5), new SplittableRandom(6));
        tuner.updateSearchSpace(PLANE);
        for (int i = 0; i < 10; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) tuner.suggest(id)).parameters();
            tuner.onResult(id, p, bowl(p));
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        List<Parameters> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batch.add(((Suggestion.Next) tuner.suggest(TrialId.of("pending" + i))).parameters());
        }
        for (int i = 0; i < batch.size(); i++) {
            for (int j = 0; j < i; j++) {
                double dx = batch.get(i).getDouble("x") - batch.get(j).getDouble("x");
                double dy = batch.get(i).getDouble("y") - batch.get(j).getDouble("y");
                assertThat(Math.hypot(dx, dy)).as("pending proposals %d and %d", j, i).isGreaterThan(1e-3);
            }
        }
    }

    @Test
    void priorResultsTeachTheModelBeforeItsFirstSuggestion() {
        GpTuner tuner = new GpTuner(settings(Utility.EI, 2.5), new SplittableRandom(7));
        tuner.updateSearchSpace(PLANE);
        SplittableRandom r = new SplittableRandom(70);
        for (int i = 0; i < 12; i++) {
            Parameters p = new Parameters(Map.of("x", r.nextDouble(-1, 1), "y", r.nextDouble(-1, 1)));
            tuner.addPriorResult(TrialId.of("import-" + i), p, bowl(p));
        }
        tuner.addPriorResult(TrialId.of("import-bad"), new Parameters(Map.of("x", "not a number", "y", 0.0)), 1.0);
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 5; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) tuner.suggest(id)).parameters();
            best = Math.min(best, bowl(p));
            tuner.onResult(id, p, bowl(p));
        }
        // five random points would rarely come within 0.01 of the minimum; the taught model does at once
        assertThat(best).isLessThan(1e-2);
    }

    @Test
    void quantisedAndCategoricalParametersAreModelledAsTheTrialsReceiveThem() {
        List<ParameterSpec> specs = List.of(new QUniform("q", 0, 10, 1),
                new Choice("c", List.of(new ChoiceOption.Value("a"), new ChoiceOption.Value("b"),
                        new ChoiceOption.Value("c"))));
        SearchSpace space = new SearchSpace(specs);
        ToDoubleFunction<Parameters> f = p -> Math.abs(p.getDouble("q") - 7) + ("b".equals(p.values().get("c")) ? 0
                : 3);
        double best = best(new GpTuner(settings(Utility.EI, 2.5), new SplittableRandom(8)), space, 20, f);
        assertThat(best).isZero();
    }

    @Test
    void theProviderReadsNnisClassArgs() {
        Problems problems = new Problems();
        Tuner t = new GpTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "minimize", "utility", "ucb",
                "kappa", 2.5, "xi", 0.1, "nu", 1.5, "alpha", 1e-4, "cold_start_num", 5, "selection_num_warm_up", 300,
                "selection_num_starting_points", 3), CLASS_ARGS, problems), TunerContext.seeded(1));
        assertThat(problems.list()).isEmpty();
        assertThat(((GpTuner) t).settings())
                .isEqualTo(new Settings(OptimizeMode.MINIMIZE, Utility.UCB, 2.5, 0.1, 1.5, 1e-4, 5, 300, 3));
        assertThat(t.optimizeMode()).contains(OptimizeMode.MINIMIZE);
    }

    @Test
    void theProviderReportsEveryBadClassArgAtItsPath() {
        Problems problems = new Problems();
        new GpTunerProvider().create(ConfigNode.of(Map.of("utility", "lcb", "nu", 1.0, "alpha", 0, "kappa", -1,
                "cold_start_num", -2, "selection_num_starting_points", 0, "seed", 3), CLASS_ARGS, problems),
                TunerContext.seeded(1));
        assertThat(problems.list().stream().map(ConfigProblem::toString)).containsExactlyInAnyOrder(
                "tuner.classArgs.utility: must be one of [ei, ucb, poi], was 'lcb'",
                "tuner.classArgs.nu: must be 0.5, 1.5, 2.5 (the Matérn kernels supported) or .inf (the RBF kernel), was 1.0",
                "tuner.classArgs.alpha: must be > 0, was 0",
                "tuner.classArgs.kappa: must be in [0, 1000000], was -1",
                "tuner.classArgs.cold_start_num: must be in 0..1000000, was -2",
                "tuner.classArgs.selection_num_starting_points: must be in 1..100000, was 0",
                "tuner.classArgs.seed: unknown key; known: [optimize_mode, utility, kappa, xi, nu, alpha, "
                        + "cold_start_num, selection_num_warm_up, selection_num_starting_points]");
    }

    @Test
    void gpAndItsAliasAndTheRefusedNamesAreRegistered() {
        List<String> names = ServiceLoader.load(TunerProvider.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("GPTuner", "GP", "Metis", "MetisTuner", "DNGO", "DNGOTuner");
    }

    @Test
    void nniConfigsNamingGpLoadAndMetisAndDngoAreRefusedAtTheTunerSection(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("search_space.json"),
                "{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0.0001, 0.1]}}");
        String v1 = """
                authorName: default
                experimentName: example
                trialConcurrency: 1
                maxTrialNum: 10
                trainingServicePlatform: local
                searchSpacePath: search_space.json
                trial:
                  command: python3 mnist.py
                  codeDir: .
                  gpuNum: 0
                tuner:
                """;
        String v2 = """
                searchSpaceFile: search_space.json
                trialCommand: python3 mnist.py
                trialConcurrency: 1
                maxTrialNumber: 10
                trainingService:
                  platform: local
                tuner:
                """;
        assertThat(tunerProblems(dir, v1 + """
                  builtinTunerName: GPTuner
                  classArgs:
                    optimize_mode: maximize
                    utility: poi
                    nu: 0.5
                """)).isEmpty();
        assertThat(tunerProblems(dir, v2 + """
                  name: GP
                  classArgs:
                    nu: 2
                """)).containsExactly(
                "tuner.classArgs.nu: must be 0.5, 1.5, 2.5 (the Matérn kernels supported) or .inf (the RBF kernel), "
                        + "was 2.0");
        assertThat(tunerProblems(dir, v2 + """
                  name: GP
                  classArgs:
                    nu: .inf
                """)).isEmpty();
        assertThat(tunerProblems(dir, v1 + """
                  builtinTunerName: DNGOTuner
                  classArgs:
                    optimize_mode: maximize
                """)).singleElement().asString()
                .startsWith("tuner: DNGOTuner is not available; GPTuner is the closest: ");
        assertThat(tunerProblems(dir, v2 + """
                  name: Metis
                """)).singleElement().asString()
                .startsWith("tuner: Metis is not available; GPTuner is the closest: ");
    }

    /** The problems loading {@code yaml} reports under {@code tuner}; other sections may lack modules here. */
    private static List<String> tunerProblems(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("config.yml");
        Files.writeString(file, yaml);
        try {
            ConfigLoader.load(file);
            return List.of();
        } catch (ConfigException e) {
            return e.problems().stream().map(ConfigProblem::toString).filter(s -> s.startsWith("tuner")).toList();
        }
    }
}
