package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.config.ConfigException;
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
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.TpeTuner.ConstantLiar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class TpeTunerTest {

    private static final SearchSpace EVERY_TYPE = SearchSpace.parse("""
            {
              "c":   {"_type": "choice", "_value": ["a", 2, 3.5, true]},
              "ri":  {"_type": "randint", "_value": [-3, 4]},
              "u":   {"_type": "uniform", "_value": [-1.0, 2.0]},
              "qu":  {"_type": "quniform", "_value": [2, 10, 5]},
              "lu":  {"_type": "loguniform", "_value": [0.001, 10]},
              "qlu": {"_type": "qloguniform", "_value": [16, 128, 0.725]},
              "n":   {"_type": "normal", "_value": [1.0, 2.0]},
              "qn":  {"_type": "qnormal", "_value": [0.0, 3.0, 0.5]},
              "ln":  {"_type": "lognormal", "_value": [0.0, 1.0]},
              "qln": {"_type": "qlognormal", "_value": [1.0, 1.0, 0.25]}
            }""");

    private static final SearchSpace DEEP = SearchSpace.parse("""
            {
              "lr": {"_type": "loguniform", "_value": [0.0001, 0.1]},
              "model": {"_type": "choice", "_value": [
                {"_name": "tree", "depth": {"_type": "randint", "_value": [1, 10]}},
                {"_name": "net",
                 "layers": {"_type": "randint", "_value": [1, 5]},
                 "act": {"_type": "choice", "_value": [
                   {"_name": "relu"},
                   {"_name": "leaky", "slope": {"_type": "uniform", "_value": [0.0, 0.3]},
                    "init": {"_type": "choice", "_value": [
                      {"_name": "he", "gain": {"_type": "uniform", "_value": [0.5, 2.0]}},
                      {"_name": "xavier"}]}}]}}]}
            }""");

    @Test
    void parametersOfEveryTypeEncodeBackToThemselves() {
        for (SearchSpace space : List.of(EVERY_TYPE, DEEP)) {
            SpaceModel model = new SpaceModel(space);
            for (Parameters p : run(tpe(5), space, 80, TpeTunerTest::anyLoss)) {
                assertThat(model.encode(p)).as("%s", p).isPresent();
                assertThat(model.decode(model.encode(p).orElseThrow())).isEqualTo(p);
            }
            assertThat(model.encode(new Parameters(java.util.Map.of("nope", 1)))).isEmpty();
        }
    }

    @Test
    void priorResultsFromAResumedExperimentTeachTheModelAtOnce() {
        SearchSpace space = SearchSpace.parse("""
                {"x": {"_type": "uniform", "_value": [-5, 5]}, "y": {"_type": "uniform", "_value": [-5, 5]}}""");
        ToDoubleFunction<Parameters> bowl = p -> Math.pow(p.getDouble("x") - 2, 2) + Math.pow(p.getDouble("y") + 1, 2);
        List<Parameters> history = run(tpe(1), space, 100, bowl);
        int closerAfterWarmStart = 0;
        for (long seed = 0; seed < 5; seed++) {
            TpeTuner resumed = tpe(seed);
            resumed.updateSearchSpace(space);
            for (int i = 0; i < history.size(); i++) {
                resumed.addPriorResult(TrialId.of("old" + i), history.get(i), bowl.applyAsDouble(history.get(i)));
            }
            TpeTuner fresh = tpe(seed);
            fresh.updateSearchSpace(space);
            double resumedMean = 0;
            double freshMean = 0;
            for (int i = 0; i < 10; i++) {
                Parameters a = ((Suggestion.Next) resumed.suggest(TrialId.of("n" + i))).parameters();
                Parameters b = ((Suggestion.Next) fresh.suggest(TrialId.of("n" + i))).parameters();
                resumedMean += bowl.applyAsDouble(a) / 10;
                freshMean += bowl.applyAsDouble(b) / 10;
            }
            if (resumedMean < freshMean) {
                closerAfterWarmStart++;
            }
        }
        // Without the history the first ten trials are random start-up draws; with it they come from the model.
        assertThat(closerAfterWarmStart).isGreaterThanOrEqualTo(4);
        TpeTuner again = tpe(3);
        again.updateSearchSpace(space);
        again.addPriorResult(TrialId.of("bad"), new Parameters(java.util.Map.of("x", "not a number")), 1.0);
        assertThat(again.suggest(TrialId.of("n"))).isInstanceOf(Suggestion.Next.class);
    }

    @Test
    void sameSeedGivesTheSameSequence() {
        assertThat(run(tpe(7), EVERY_TYPE, 60, TpeTunerTest::anyLoss))
                .isEqualTo(run(tpe(7), EVERY_TYPE, 60, TpeTunerTest::anyLoss));
        assertThat(run(tpe(7), DEEP, 60, TpeTunerTest::anyLoss))
                .isEqualTo(run(tpe(7), DEEP, 60, TpeTunerTest::anyLoss));
        assertThat(run(tpe(7), EVERY_TYPE, 30, TpeTunerTest::anyLoss))
                .isNotEqualTo(run(tpe(8), EVERY_TYPE, 30, TpeTunerTest::anyLoss));
    }

    @Test
    void everySpecTypeGivesValuesInsideTheSpaceWithNniTypes() {
        for (boolean multivariate : new boolean[] {true, false}) {
            TpeTuner tuner = new TpeTuner(settings(OptimizeMode.MINIMIZE, ConstantLiar.WORST, multivariate),
                    TunerContext.seeded(3).random());
            for (Parameters p : run(tuner, EVERY_TYPE, 120, TpeTunerTest::anyLoss)) {
                assertThat(p.values().keySet()).containsExactly("c", "ri", "u", "qu", "lu", "qlu", "n", "qn", "ln",
                        "qln");
                assertThat(p.values().get("c")).isIn("a", 2, 3.5, true);
                assertThat(p.values().get("ri")).isInstanceOf(Integer.class);
                assertThat((Integer) p.values().get("ri")).isBetween(-3, 3);
                assertThat(p.getDouble("u")).isBetween(-1.0, 2.0);
                assertThat(p.values().get("qu")).isIn(2.0, 5.0, 10.0);
                assertThat(p.getDouble("lu")).isBetween(0.001, 10.0);
                double qlu = p.getDouble("qlu");
                assertThat(qlu).isBetween(16.0, 128.0);
                assertThat(qlu == 16.0 || qlu == 128.0 || isMultiple(qlu, 0.725)).isTrue();
                assertThat(p.getDouble("n")).isFinite();
                assertThat(isMultiple(p.getDouble("qn"), 0.5)).isTrue();
                assertThat(p.getDouble("ln")).isPositive();
                double qln = p.getDouble("qln");
                assertThat(qln).isGreaterThanOrEqualTo(0.0);
                assertThat(isMultiple(qln, 0.25)).isTrue();
            }
        }
    }

    @Test
    void choiceNestedInANestedChoiceGivesOnlyTheActiveBranchesInOrder() {
        List<Parameters> all = run(tpe(11), DEEP, 150, p -> {
            double loss = Math.abs(Math.log10(p.getDouble("lr")) + 2);
            if (p.values().get("model") instanceof Map<?, ?> m && "net".equals(m.get("_name"))
                    && m.get("act") instanceof Map<?, ?> act && "leaky".equals(act.get("_name"))) {
                loss -= 1;
            }
            return loss;
        });
        boolean sawHe = false;
        for (Parameters p : all) {
            Map<?, ?> model = (Map<?, ?>) p.values().get("model");
            if ("tree".equals(model.get("_name"))) {
                assertThat(keys(model)).containsExactly("_name", "depth");
                assertThat((Integer) model.get("depth")).isBetween(1, 9);
                continue;
            }
            assertThat(keys(model)).containsExactly("_name", "layers", "act");
            Map<?, ?> act = (Map<?, ?>) model.get("act");
            if ("relu".equals(act.get("_name"))) {
                assertThat(keys(act)).containsExactly("_name");
                continue;
            }
            assertThat(keys(act)).containsExactly("_name", "slope", "init");
            Map<?, ?> init = (Map<?, ?>) act.get("init");
            if ("he".equals(init.get("_name"))) {
                sawHe = true;
                assertThat(keys(init)).containsExactly("_name", "gain");
                assertThat(((Number) init.get("gain")).doubleValue()).isBetween(0.5, 2.0);
            } else {
                assertThat(keys(init)).containsExactly("_name");
            }
        }
        assertThat(sawHe).isTrue();
        long leaky = all.subList(100, 150).stream().filter(p -> p.toJson().contains("leaky")).count();
        assertThat(leaky).as("the rewarded branch is proposed more often than the prior's one in four").isGreaterThan(12);
    }

    @Test
    void classArgsProblemsAreReportedAtTheirPaths() {
        Problems problems = new Problems();
        Map<String, Object> tpeArgs = new HashMap<>();
        tpeArgs.put("gamma", 1.5);
        tpeArgs.put("constant_liar_type", "optimistic");
        tpeArgs.put("n_startup_jobs", -1);
        tpeArgs.put("prior_weight", 0);
        tpeArgs.put("gama", 0.2);
        Map<String, Object> args = Map.of("optimize_mode", "sideways", "tpe_args", tpeArgs, "seeed", 1);
        new TpeTunerProvider().create(ConfigNode.of(args, FieldPath.of("tuner.classArgs"), problems),
                TunerContext.seeded(1));
        assertThat(problems.list()).extracting(p -> p.path().value()).containsExactlyInAnyOrder(
                "tuner.classArgs.optimize_mode",
                "tuner.classArgs.tpe_args.gamma",
                "tuner.classArgs.tpe_args.constant_liar_type",
                "tuner.classArgs.tpe_args.n_startup_jobs",
                "tuner.classArgs.tpe_args.prior_weight",
                "tuner.classArgs.tpe_args.gama",
                "tuner.classArgs.seeed");
        assertThat(problems.list()).extracting(ConfigProblem::message)
                .anyMatch(m -> m.contains("must be in [0, 1], was 1.5"));
        assertThatThrownBy(problems::throwIfAny).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tuner.classArgs.tpe_args.gama");
    }

    @Test
    void nniClassArgsAreRead() {
        Map<String, Object> tpeArgs = new HashMap<>();
        tpeArgs.put("constant_liar_type", null);
        tpeArgs.put("n_startup_jobs", 20);
        tpeArgs.put("n_ei_candidates", 48);
        tpeArgs.put("linear_forgetting", 30);
        tpeArgs.put("prior_weight", 1.5);
        tpeArgs.put("gamma", 0.25);
        Problems problems = new Problems();
        Tuner tuner = new TpeTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "maximize", "seed", 5,
                "tpe_args", tpeArgs), FieldPath.of("tuner.classArgs"), problems), TunerContext.seeded(1));
        assertThat(problems.list()).isEmpty();
        TpeTuner.Settings s = ((TpeTuner) tuner).settings();
        assertThat(s.mode()).isEqualTo(OptimizeMode.MAXIMIZE);
        assertThat(s.liar()).isEqualTo(ConstantLiar.NONE);
        assertThat(List.of(s.startupTrials(), s.candidates(), s.linearForgetting())).containsExactly(20, 48, 30);
        assertThat(s.priorWeight()).isEqualTo(1.5);
        assertThat(s.gamma()).isEqualTo(0.25);

        Tuner defaults = new TpeTunerProvider().create(ConfigNode.of(Map.of(), FieldPath.of("tuner.classArgs"),
                problems), TunerContext.of(1, OptimizeMode.MINIMIZE));
        assertThat(((TpeTuner) defaults).settings()).isEqualTo(TpeTuner.Settings.defaults());
        assertThat(TpeTuner.Settings.defaults().mode()).isEqualTo(OptimizeMode.MINIMIZE);
    }

    @Test
    void theSeedClassArgWinsOverTheContextSeed() {
        Tuner a = new TpeTunerProvider().create(ConfigNode.of(Map.of("seed", 42), FieldPath.ROOT, new Problems()),
                TunerContext.seeded(1));
        Tuner b = new TpeTunerProvider().create(ConfigNode.of(Map.of(), FieldPath.ROOT, new Problems()),
                TunerContext.seeded(42));
        assertThat(run(a, EVERY_TYPE, 20, TpeTunerTest::anyLoss)).isEqualTo(run(b, EVERY_TYPE, 20,
                TpeTunerTest::anyLoss));
    }

    @Test
    void providerIsRegisteredAsTpe() {
        assertThat(ServiceLoader.load(TunerProvider.class).stream().map(ServiceLoader.Provider::get)
                .map(TunerProvider::name)).contains("TPE");
    }

    @Test
    void resultArrivingAfterTheTrialEndedIsCredited() {
        SearchSpace space = SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        TpeTuner inOrder = tpe(5);
        TpeTuner late = tpe(5);
        TpeTuner never = tpe(5);
        for (TpeTuner t : List.of(inOrder, late, never)) {
            t.updateSearchSpace(space);
        }
        List<Parameters> lateTrials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = next(inOrder, id);
            assertThat(next(late, id)).isEqualTo(p);
            assertThat(next(never, id)).isEqualTo(p);
            inOrder.onResult(id, p, p.getDouble("x"));
            inOrder.onTrialEnd(id, TrialStatus.SUCCEEDED);
            late.onTrialEnd(id, TrialStatus.SUCCEEDED);
            never.onTrialEnd(id, TrialStatus.SUCCEEDED);
            lateTrials.add(p);
        }
        for (int i = 0; i < 10; i++) {
            late.onResult(TrialId.of("t" + i), lateTrials.get(i), lateTrials.get(i).getDouble("x"));
        }
        List<Parameters> a = new ArrayList<>();
        List<Parameters> b = new ArrayList<>();
        List<Parameters> c = new ArrayList<>();
        for (int i = 10; i < 20; i++) {
            a.add(next(inOrder, TrialId.of("t" + i)));
            b.add(next(late, TrialId.of("t" + i)));
            c.add(next(never, TrialId.of("t" + i)));
        }
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test
    void resultsAndEndsOfUnknownTrialsAreIgnored() {
        TpeTuner plain = tpe(9);
        TpeTuner noisy = tpe(9);
        plain.updateSearchSpace(EVERY_TYPE);
        noisy.updateSearchSpace(EVERY_TYPE);
        for (int i = 0; i < 30; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = next(plain, id);
            assertThat(next(noisy, id)).isEqualTo(p);
            noisy.onResult(TrialId.of("ghost" + i), p, -1e9);
            noisy.onTrialEnd(TrialId.of("ghost" + i), TrialStatus.FAILED);
            plain.onResult(id, p, anyLoss(p));
            noisy.onResult(id, p, anyLoss(p));
        }
    }

    @Test
    void nanAndInfiniteResultsAreAcceptedAsTheWorst() {
        TpeTuner tuner = tpe(2);
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0};
        int[] i = {0};
        List<Parameters> out = run(tuner, EVERY_TYPE, 60, p -> values[i[0]++ % values.length]);
        assertThat(out).hasSize(60);
    }

    @Test
    void pendingTrialsWithEveryLiarDoNotBreakTheSearch() {
        for (ConstantLiar liar : ConstantLiar.values()) {
            TpeTuner tuner = new TpeTuner(settings(OptimizeMode.MINIMIZE, liar, true), TunerContext.seeded(4).random());
            tuner.updateSearchSpace(DEEP);
            List<TrialId> pending = new ArrayList<>();
            List<Parameters> params = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                TrialId id = TrialId.of("t" + i);
                pending.add(id);
                params.add(next(tuner, id));
                if (pending.size() == 4) {
                    TrialId done = pending.remove(0);
                    Parameters p = params.remove(0);
                    tuner.onResult(done, p, Math.abs(Math.log10(p.getDouble("lr")) + 2));
                    tuner.onTrialEnd(done, TrialStatus.SUCCEEDED);
                }
            }
        }
    }

    @Test
    void itBeatsRandomSearchOnAQuadratic() {
        SearchSpace space = SearchSpace.parse("""
                {"a": {"_type": "uniform", "_value": [-5, 5]}, "b": {"_type": "uniform", "_value": [-5, 5]},
                 "c": {"_type": "loguniform", "_value": [0.001, 1000]}, "d": {"_type": "randint", "_value": [0, 20]}}""");
        ToDoubleFunction<Parameters> f = p -> sq(p.getDouble("a") - 1.3) + sq(p.getDouble("b") + 2.1)
                + sq(Math.log10(p.getDouble("c")) - 1) + sq((p.getDouble("d") - 7) / 4);
        double[] tpe = new double[7];
        double[] random = new double[7];
        for (int seed = 0; seed < tpe.length; seed++) {
            tpe[seed] = best(run(tpe(seed), space, 100, f), f);
            TpeTuner randomOnly = new TpeTuner(new TpeTuner.Settings(OptimizeMode.MINIMIZE, ConstantLiar.WORST,
                    1_000, 24, 25, 1.0, 0.1, true), TunerContext.seeded(seed).random());
            random[seed] = best(run(randomOnly, space, 100, f), f);
        }
        Arrays.sort(tpe);
        Arrays.sort(random);
        assertThat(tpe[3]).as("median best of TPE vs random").isLessThan(random[3] / 4);
    }

    @Test
    void maximizeModeSeeksLargeValues() {
        SearchSpace space = SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 10]}}");
        TpeTuner tuner = new TpeTuner(settings(OptimizeMode.MAXIMIZE, ConstantLiar.WORST, true),
                TunerContext.seeded(1).random());
        List<Parameters> out = run(tuner, space, 80, p -> p.getDouble("x"));
        double late = out.subList(60, 80).stream().mapToDouble(p -> p.getDouble("x")).average().orElseThrow();
        assertThat(late).isGreaterThan(8.0);
    }

    @Test
    void suggestBeforeTheSpaceIsSetFails() {
        assertThatThrownBy(() -> tpe(1).suggest(TrialId.of("a"))).isInstanceOf(IllegalStateException.class);
    }

    private static TpeTuner tpe(long seed) {
        return new TpeTuner(TpeTuner.Settings.defaults(), TunerContext.seeded(seed).random());
    }

    private static TpeTuner.Settings settings(OptimizeMode mode, ConstantLiar liar, boolean multivariate) {
        TpeTuner.Settings d = TpeTuner.Settings.defaults();
        return new TpeTuner.Settings(mode, liar, d.startupTrials(), d.candidates(), d.linearForgetting(),
                d.priorWeight(), d.gamma(), multivariate);
    }

    private static Parameters next(Tuner tuner, TrialId id) {
        Suggestion s = tuner.suggest(id);
        assertThat(s).isInstanceOf(Suggestion.Next.class);
        return ((Suggestion.Next) s).parameters();
    }

    private static List<Parameters> run(Tuner tuner, SearchSpace space, int trials, ToDoubleFunction<Parameters> f) {
        tuner.updateSearchSpace(space);
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < trials; i++) {
            TrialId id = TrialId.of("trial" + i);
            Parameters p = next(tuner, id);
            out.add(p);
            tuner.onResult(id, p, f.applyAsDouble(p));
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        return out;
    }

    private static double best(List<Parameters> trials, ToDoubleFunction<Parameters> f) {
        return trials.stream().mapToDouble(f).min().orElseThrow();
    }

    private static double anyLoss(Parameters p) {
        return p.toJson().hashCode() % 1000 / 1000.0;
    }

    private static boolean isMultiple(double v, double q) {
        double k = v / q;
        return Math.abs(k - Math.rint(k)) < 1e-9;
    }

    private static List<String> keys(Map<?, ?> m) {
        return m.keySet().stream().map(String::valueOf).toList();
    }

    private static double sq(double x) {
        return x * x;
    }
}
