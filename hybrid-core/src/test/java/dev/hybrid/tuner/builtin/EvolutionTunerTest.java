package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EvolutionTunerTest {
    private static final SearchSpace SPACE = SearchSpace.parse("""
            {"x": {"_type": "uniform", "_value": [-5, 5]}, "y": {"_type": "uniform", "_value": [-5, 5]},
             "z": {"_type": "uniform", "_value": [-5, 5]}, "k": {"_type": "choice", "_value": ["a", "b", "c"]}}""");

    private static double sphere(Parameters p) {
        double s = 0;
        for (String k : List.of("x", "y", "z")) {
            double v = ((Number) p.values().get(k)).doubleValue() - 1;
            s += v * v;
        }
        return s + (p.values().get("k").equals("b") ? 0 : 1);
    }

    private static Parameters next(EvolutionTuner t, TrialId id) {
        return ((Suggestion.Next) t.suggest(id)).parameters();
    }

    @Test
    void afterTheRandomPopulationTrialsKeepSomeParametersOfAnEarlierOne() {
        EvolutionTuner t = new EvolutionTuner(OptimizeMode.MINIMIZE, 8, new SplittableRandom(1));
        t.updateSearchSpace(SPACE);
        List<Parameters> seen = new ArrayList<>();
        int kept = 0;
        for (int i = 0; i < 68; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = next(t, id);
            // a mutation changes each parameter with probability 1/4 (at least one) and keeps the others exactly
            if (i >= 8 && seen.stream().anyMatch(q -> shared(p, q) > 0)) {
                kept++;
            }
            if (i < 8) {
                assertThat(seen).allSatisfy(q -> assertThat(shared(p, q)).as("random draws").isZero());
            }
            seen.add(p);
            t.onResult(id, p, sphere(p));
            t.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        assertThat(kept).isGreaterThanOrEqualTo(54);
    }

    private static long shared(Parameters a, Parameters b) {
        return List.of("x", "y", "z").stream().filter(k -> a.values().get(k).equals(b.values().get(k))).count();
    }

    @Test
    void itImprovesOnItsRandomPopulationOnASphere() {
        EvolutionTuner t = new EvolutionTuner(OptimizeMode.MINIMIZE, 16, new SplittableRandom(2));
        t.updateSearchSpace(SPACE);
        double bestRandom = Double.POSITIVE_INFINITY;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < 200; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = next(t, id);
            double v = sphere(p);
            if (i < 16) {
                bestRandom = Math.min(bestRandom, v);
            }
            best = Math.min(best, v);
            t.onResult(id, p, v);
            t.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        assertThat(best).isLessThan(bestRandom / 10).isLessThan(0.1);
    }

    @Test
    void priorResultsFillThePopulationSoTheFirstTrialIsAlreadyAMutation() {
        EvolutionTuner t = new EvolutionTuner(OptimizeMode.MAXIMIZE, 2, new SplittableRandom(3));
        t.updateSearchSpace(SPACE);
        Parameters a = new Parameters(java.util.Map.of("x", 1.0, "y", 2.0, "z", 3.0, "k", "a"));
        Parameters b = new Parameters(java.util.Map.of("x", -1.0, "y", -2.0, "z", -3.0, "k", "c"));
        t.addPriorResult(TrialId.of("old-1"), a, 1.0);
        t.addPriorResult(TrialId.of("old-2"), b, 0.5);
        Parameters first = next(t, TrialId.of("new"));
        assertThat(shared(first, a) + shared(first, b)).isPositive();
    }

    @Test
    void aMutatedValueStaysInsideItsRange() {
        for (double x : new double[] {-7.5, -5, 0, 5, 6, 14.5, 25}) {
            assertThat(EvolutionTuner.Mutation.reflect(x, -5, 5)).isBetween(-5.0, 5.0);
        }
        assertThat(EvolutionTuner.Mutation.reflect(6, -5, 5)).isEqualTo(4.0);
        assertThat(EvolutionTuner.Mutation.reflect(-7, -5, 5)).isEqualTo(-3.0);
    }
}
