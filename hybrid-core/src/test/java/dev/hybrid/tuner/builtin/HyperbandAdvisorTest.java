package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class HyperbandAdvisorTest {
    static final SearchSpace SPACE = SearchSpace.parse("""
            {"x": {"_type": "uniform", "_value": [0, 1]}, "k": {"_type": "choice", "_value": ["a", "b"]}}""");

    /** One trial proposed, run and ended at a time, as with {@code trialConcurrency: 1}. */
    static List<Parameters> runSequentially(Tuner tuner, int n) {
        return runSequentially(tuner, n, HyperbandAdvisorTest::value);
    }

    static List<Parameters> runSequentially(Tuner tuner, int n, ToDoubleFunction<Parameters> objective) {
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) tuner.suggest(id)).parameters();
            out.add(p);
            tuner.onResult(id, p, objective.applyAsDouble(p));
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        return out;
    }

    static double value(Parameters p) {
        return ((Number) p.values().get("x")).doubleValue();
    }

    static Object budget(Parameters p) {
        return p.values().get("TRIAL_BUDGET");
    }

    static Parameters config(Parameters p) {
        Map<String, Object> v = new LinkedHashMap<>(p.values());
        v.remove("TRIAL_BUDGET");
        return new Parameters(v);
    }

    static HyperbandAdvisor advisor(OptimizeMode mode, int r, ExecMode exec) {
        HyperbandAdvisor a = new HyperbandAdvisor(mode, r, 3, exec, new SplittableRandom(5));
        a.updateSearchSpace(SPACE);
        return a;
    }

    @Test
    void bracketsRunAsNnisForREqualNineAndEtaThree() {
        List<Parameters> seen = runSequentially(advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.PARALLELISM), 31);
        List<Object> budgets = seen.stream().map(HyperbandAdvisorTest::budget).toList();
        List<Object> expected = new ArrayList<>();
        for (int[] rung : new int[][] {{9, 1}, {3, 3}, {1, 9}, {5, 3}, {1, 9}, {3, 9}, {9, 1}}) {
            for (int i = 0; i < rung[0]; i++) {
                expected.add(rung[1]);
            }
        }
        assertThat(budgets).isEqualTo(expected);
        assertThat(budgets).allMatch(b -> b instanceof Integer);
        // the best three of the first nine run again at budget 3, then the best of those at 9
        List<Parameters> firstRung = seen.subList(0, 9).stream().map(HyperbandAdvisorTest::config)
                .sorted(Comparator.comparingDouble(HyperbandAdvisorTest::value).reversed()).toList();
        assertThat(seen.subList(9, 12)).extracting(HyperbandAdvisorTest::config)
                .containsExactlyElementsOf(firstRung.subList(0, 3));
        assertThat(config(seen.get(12))).isEqualTo(firstRung.get(0));
    }

    @Test
    void theFirstBracketOfNnisDefaultsHalvesTwentySevenConfigurations() {
        List<Parameters> seen = runSequentially(advisor(OptimizeMode.MAXIMIZE, 60, ExecMode.PARALLELISM), 41);
        Map<Object, Long> counts = new LinkedHashMap<>();
        seen.forEach(p -> counts.merge(budget(p), 1L, Long::sum));
        // R = 60: 27 at floor(60 / 27) = 2, 9 at 6, 3 at 20, 1 at 60; the 41st starts bracket s=2 at 6
        assertThat(counts).containsExactly(Map.entry(2, 27L), Map.entry(6, 10L), Map.entry(20, 3L),
                Map.entry(60, 1L));
    }

    @Test
    void minimizeModePromotesTheSmallestResults() {
        List<Parameters> seen = runSequentially(advisor(OptimizeMode.MINIMIZE, 9, ExecMode.PARALLELISM), 12);
        double worstPromoted = seen.subList(9, 12).stream().mapToDouble(HyperbandAdvisorTest::value).max()
                .orElseThrow();
        long better = seen.subList(0, 9).stream().filter(p -> value(p) <= worstPromoted).count();
        assertThat(better).isEqualTo(3);
    }

    @Test
    void serialModeWaitsForItsBracketWhileParallelismOpensTheNext() {
        HyperbandAdvisor serial = advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.SERIAL);
        HyperbandAdvisor parallel = advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.PARALLELISM);
        for (int i = 0; i < 9; i++) {
            assertThat(serial.suggest(TrialId.of("s" + i))).isInstanceOf(Suggestion.Next.class);
            assertThat(parallel.suggest(TrialId.of("p" + i))).isInstanceOf(Suggestion.Next.class);
        }
        assertThat(serial.suggest(TrialId.of("s9"))).isInstanceOf(Suggestion.Later.class);
        Suggestion next = parallel.suggest(TrialId.of("p9"));
        assertThat(budget(((Suggestion.Next) next).parameters())).as("bracket s=1 starts at 3").isEqualTo(3);
    }

    @Test
    void trialsWithoutAResultAreNotPromoted() {
        HyperbandAdvisor a = advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.SERIAL);
        List<Parameters> first = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) a.suggest(id)).parameters();
            first.add(p);
            if (i < 2) {
                a.onResult(id, p, value(p));
                a.onTrialEnd(id, TrialStatus.SUCCEEDED);
            } else {
                a.onTrialEnd(id, TrialStatus.FAILED);
            }
        }
        List<Parameters> promoted = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            promoted.add(config(((Suggestion.Next) a.suggest(TrialId.of("u" + i))).parameters()));
        }
        assertThat(promoted).containsExactlyInAnyOrder(config(first.get(0)), config(first.get(1)));
        assertThat(a.suggest(TrialId.of("u2"))).as("a rung of two waits for both").isInstanceOf(Suggestion.Later.class);
    }

    @Test
    void aResumedAdvisorRebuildsItsBracketsFromFinishedTrials() {
        HyperbandAdvisor before = advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.PARALLELISM);
        List<Parameters> seen = runSequentially(before, 12);
        Parameters expected = ((Suggestion.Next) before.suggest(TrialId.of("t12"))).parameters();

        HyperbandAdvisor after = new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.PARALLELISM,
                new SplittableRandom(99));
        after.updateSearchSpace(SPACE);
        for (int i = 0; i < seen.size(); i++) {
            after.addPriorResult(TrialId.of("t" + i), seen.get(i), value(seen.get(i)));
            after.onTrialEnd(TrialId.of("t" + i), TrialStatus.SUCCEEDED);
        }
        Parameters resumed = ((Suggestion.Next) after.suggest(TrialId.of("t12"))).parameters();
        assertThat(resumed).as("the best of rung 1 runs at budget 9, as it would have without the stop")
                .isEqualTo(expected);
        assertThat(budget(resumed)).isEqualTo(9);
    }

    @Test
    void everyBadClassArgIsReportedAtItsPath() {
        Problems problems = new Problems();
        new HyperbandAdvisorProvider().create(ConfigNode.of(Map.of("R", 0, "eta", 1.5, "exec_mode", "fast",
                "optimize_mode", "up", "seed", 3), FieldPath.of("advisor.classArgs"), problems),
                TunerContext.seeded(1));
        assertThat(problems.list()).extracting(ConfigProblem::path).extracting(FieldPath::value)
                .containsExactlyInAnyOrder("advisor.classArgs.R", "advisor.classArgs.eta",
                        "advisor.classArgs.exec_mode", "advisor.classArgs.optimize_mode", "advisor.classArgs.seed");
    }

    @Test
    void aParameterNamedLikeTheBudgetIsRefused() {
        HyperbandAdvisor a = new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.SERIAL,
                new SplittableRandom(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.updateSearchSpace(SearchSpace.parse(
                "{\"TRIAL_BUDGET\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}")))
                .isInstanceOf(dev.hybrid.tuner.UnsupportedSearchSpaceException.class)
                .hasMessageContaining("TRIAL_BUDGET");
    }

    static final java.nio.file.Path CHECKPOINTS = java.nio.file.Path.of("ck").toAbsolutePath();

    static HyperbandAdvisor withCheckpoints(long seed) {
        HyperbandAdvisor a = new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.PARALLELISM, CHECKPOINTS,
                new SplittableRandom(seed));
        a.updateSearchSpace(SPACE);
        return a;
    }

    @Test
    void withoutACheckpointFolderTrialsReceiveOnlyNnisParameters() {
        for (Parameters p : runSequentially(advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.PARALLELISM), 13)) {
            assertThat(p.values().keySet()).containsExactlyInAnyOrder("x", "k", "TRIAL_BUDGET");
        }
    }

    @Test
    void withACheckpointFolderEachPromotionLoadsWhatItsConfigurationSavedOnTheRungBelow() {
        List<Parameters> seen = runSequentially(withCheckpoints(5), 14);
        // the same configurations and budgets as without checkpoints
        List<Parameters> plain = runSequentially(advisor(OptimizeMode.MAXIMIZE, 9, ExecMode.PARALLELISM), 14);
        assertThat(seen).extracting(HyperbandAdvisorTest::configOnly).isEqualTo(plain);
        Map<Object, Parameters> bySave = new LinkedHashMap<>();
        for (Parameters p : seen) {
            assertThat(bySave.put(p.values().get("save_checkpoint_dir"), p)).as("a folder per run").isNull();
            assertThat((String) p.values().get("save_checkpoint_dir")).startsWith(CHECKPOINTS.toString());
        }
        for (Parameters p : seen.subList(0, 9)) {
            assertThat(p.values().get("load_checkpoint_dir")).isEqualTo(p.values().get("save_checkpoint_dir"));
            assertThat((String) p.values().get("save_checkpoint_dir")).matches(".*[/\\\\]0-\\d-[0-9a-f]+[/\\\\]0");
        }
        for (Parameters p : seen.subList(9, 13)) {
            Parameters parent = bySave.get(p.values().get("load_checkpoint_dir"));
            assertThat(parent).as("the run that saved %s", p.values().get("load_checkpoint_dir")).isNotNull();
            assertThat(config(configOnly(parent))).isEqualTo(config(configOnly(p)));
            assertThat((int) budget(p)).isEqualTo(3 * (int) budget(parent));
        }
        assertThat((String) seen.get(13).values().get("save_checkpoint_dir")).as("bracket 1 begins")
                .matches(".*[/\\\\]1-0-[0-9a-f]+[/\\\\]0");
    }

    @Test
    void aResumedAdvisorNamesTheCheckpointFoldersItsFirstRunWould() {
        HyperbandAdvisor before = withCheckpoints(5);
        List<Parameters> seen = runSequentially(before, 12);
        Parameters expected = ((Suggestion.Next) before.suggest(TrialId.of("t12"))).parameters();
        HyperbandAdvisor after = withCheckpoints(99);
        for (int i = 0; i < seen.size(); i++) {
            after.addPriorResult(TrialId.of("t" + i), seen.get(i), value(seen.get(i)));
            after.onTrialEnd(TrialId.of("t" + i), TrialStatus.SUCCEEDED);
        }
        Parameters resumed = ((Suggestion.Next) after.suggest(TrialId.of("t12"))).parameters();
        assertThat(resumed).as("the best configuration at 9, loading its run at 3").isEqualTo(expected);
        assertThat(bySaveFolder(seen)).containsKey(resumed.values().get("load_checkpoint_dir"));
    }

    @Test
    void aRelativeCheckpointFolderIsReportedAtItsPath() {
        Problems problems = new Problems();
        new HyperbandAdvisorProvider().create(ConfigNode.of(Map.of("all_checkpoint_dir", "ck"),
                FieldPath.of("advisor.classArgs"), problems), TunerContext.seeded(1));
        assertThat(problems.list()).extracting(ConfigProblem::path).extracting(FieldPath::value)
                .containsExactly("advisor.classArgs.all_checkpoint_dir");
    }

    @Test
    void withCheckpointsAParameterNamedLikeACheckpointFolderIsRefused() {
        HyperbandAdvisor a = new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.SERIAL, CHECKPOINTS,
                new SplittableRandom(1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.updateSearchSpace(SearchSpace.parse(
                "{\"save_checkpoint_dir\": {\"_type\": \"choice\", \"_value\": [\"a\"]}}")))
                .isInstanceOf(dev.hybrid.tuner.UnsupportedSearchSpaceException.class)
                .hasMessageContaining("save_checkpoint_dir");
    }

    private static Map<Object, Parameters> bySaveFolder(List<Parameters> seen) {
        Map<Object, Parameters> m = new LinkedHashMap<>();
        seen.forEach(p -> m.put(p.values().get("save_checkpoint_dir"), p));
        return m;
    }

    /** The parameters less the checkpoint folders. */
    static Parameters configOnly(Parameters p) {
        Map<String, Object> v = new LinkedHashMap<>(p.values());
        v.remove("load_checkpoint_dir");
        v.remove("save_checkpoint_dir");
        return new Parameters(v);
    }
}
