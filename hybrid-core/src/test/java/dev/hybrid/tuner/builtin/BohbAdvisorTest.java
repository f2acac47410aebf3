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
import dev.hybrid.tuner.TunerContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BohbAdvisorTest {
    static final SearchSpace SPACE = SearchSpace.parse("""
            {"x": {"_type": "uniform", "_value": [0, 1]}, "y": {"_type": "uniform", "_value": [0, 1]}}""");

    /** Distance to the optimum (0.2, 0.7); the advisor minimises it. */
    static double distance(Parameters p) {
        double x = ((Number) p.values().get("x")).doubleValue();
        double y = ((Number) p.values().get("y")).doubleValue();
        return Math.hypot(x - 0.2, y - 0.7);
    }

    static BohbAdvisor advisor(double randomFraction, long seed) {
        BohbAdvisor a = new BohbAdvisor(new BohbAdvisor.Settings(OptimizeMode.MINIMIZE, 1, 9, 3, 0, 15, 64,
                randomFraction, 3, 1e-3), new SplittableRandom(seed));
        a.updateSearchSpace(SPACE);
        return a;
    }

    static List<Parameters> runSequentially(BohbAdvisor a, int n) {
        return HyperbandAdvisorTest.runSequentially(a, n, BohbAdvisorTest::distance);
    }

    @Test
    void budgetsAreFloatsBetweenMinAndMaxBudget() {
        List<Parameters> seen = runSequentially(advisor(1.0 / 3, 1), 13);
        List<Object> budgets = seen.stream().map(p -> p.values().get("TRIAL_BUDGET")).toList();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            expected.add(1.0);
        }
        expected.addAll(List.of(3.0, 3.0, 3.0, 9.0));
        assertThat(budgets).isEqualTo(expected);
    }

    /** New configurations (not promotions) after the model has had time to learn. */
    static double meanDistanceOfLateNewConfigurations(BohbAdvisor a) {
        List<Parameters> seen = runSequentially(a, 200);
        Map<Parameters, Integer> firstSeen = new HashMap<>();
        double sum = 0;
        int n = 0;
        for (int i = 0; i < seen.size(); i++) {
            Map<String, Object> v = new HashMap<>(seen.get(i).values());
            v.remove("TRIAL_BUDGET");
            Parameters config = new Parameters(v);
            if (firstSeen.putIfAbsent(config, i) == null && i >= 100) {
                sum += distance(config);
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void theModelProposesCloserToTheOptimumThanRandomDraws() {
        double model = meanDistanceOfLateNewConfigurations(advisor(0.0, 7));
        double random = meanDistanceOfLateNewConfigurations(advisor(1.0, 7));
        assertThat(model).isLessThan(0.5 * random);
    }

    @Test
    void priorResultsTeachTheModelBeforeTheFirstProposal() {
        BohbAdvisor a = advisor(0.0, 3);
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 40; i++) {
            Parameters p = new Parameters(Map.of("x", r.nextDouble(), "y", r.nextDouble(), "TRIAL_BUDGET", 9.0));
            a.addPriorResult(TrialId.of("old-" + i), p, distance(p));
            a.onTrialEnd(TrialId.of("old-" + i), TrialStatus.SUCCEEDED);
        }
        double sum = 0;
        for (int i = 0; i < 10; i++) {
            sum += distance(((Suggestion.Next) a.suggest(TrialId.of("new-" + i))).parameters());
        }
        assertThat(sum / 10).as("uniform draws average about 0.45 from the optimum").isLessThan(0.25);
    }

    @Test
    void everyBadClassArgIsReportedAtItsPath() {
        Problems problems = new Problems();
        Map<String, Object> args = new HashMap<>();
        args.put("min_budget", 0);
        args.put("eta", 1);
        args.put("top_n_percent", 100);
        args.put("num_samples", 0);
        args.put("random_fraction", 2);
        args.put("bandwidth_factor", "wide");
        args.put("min_bandwidth", -1);
        args.put("min_points_in_model", -3);
        args.put("R", 9);
        new BohbAdvisorProvider().create(ConfigNode.of(args, FieldPath.of("advisor.classArgs"), problems),
                TunerContext.seeded(1));
        assertThat(problems.list()).extracting(ConfigProblem::path).extracting(FieldPath::value)
                .containsExactlyInAnyOrder("advisor.classArgs.min_budget", "advisor.classArgs.eta",
                        "advisor.classArgs.top_n_percent", "advisor.classArgs.num_samples",
                        "advisor.classArgs.random_fraction", "advisor.classArgs.bandwidth_factor",
                        "advisor.classArgs.min_bandwidth", "advisor.classArgs.min_points_in_model",
                        "advisor.classArgs.R");
    }

    @Test
    void aMaxBudgetBelowTheMinBudgetIsReportedAtMaxBudget() {
        Problems problems = new Problems();
        new BohbAdvisorProvider().create(ConfigNode.of(Map.of("min_budget", 5, "max_budget", 2, "min_points_in_model",
                3), FieldPath.of("advisor.classArgs"), problems), TunerContext.seeded(1));
        assertThat(problems.list()).extracting(p -> p.path().value() + ": " + p.message())
                .containsExactly("advisor.classArgs.max_budget: must be >= min_budget (5.0), was 2.0");
    }

    @Test
    void withACheckpointFolderAPromotionLoadsTheFolderItsConfigurationSavedTo() {
        Problems problems = new Problems();
        BohbAdvisor a = (BohbAdvisor) new BohbAdvisorProvider().create(ConfigNode.of(Map.of("optimize_mode",
                "minimize", "min_budget", 1, "max_budget", 9, "all_checkpoint_dir",
                HyperbandAdvisorTest.CHECKPOINTS.toString()), FieldPath.of("advisor.classArgs"), problems),
                TunerContext.seeded(4));
        problems.throwIfAny();
        assertThat(a.checkpointDir()).contains(HyperbandAdvisorTest.CHECKPOINTS);
        a.updateSearchSpace(SPACE);
        List<Parameters> seen = runSequentially(a, 13);
        Map<Object, Parameters> bySave = new HashMap<>();
        seen.forEach(p -> bySave.put(p.values().get("save_checkpoint_dir"), p));
        assertThat(bySave).hasSize(13);
        for (Parameters p : seen.subList(9, 13)) {
            Parameters parent = bySave.get(p.values().get("load_checkpoint_dir"));
            assertThat(parent).isNotNull();
            assertThat(parent.values().get("x")).isEqualTo(p.values().get("x"));
            assertThat((double) parent.values().get("TRIAL_BUDGET") * 3).isEqualTo(p.values().get("TRIAL_BUDGET"));
        }
    }
}
