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
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AnnealTunerTest {
    private static final SearchSpace SPACE = SearchSpace.parse("""
            {"x": {"_type": "uniform", "_value": [0, 10]}, "lr": {"_type": "loguniform", "_value": [0.0001, 1]}}""");

    private static double x(Parameters p) {
        return ((Number) p.values().get("x")).doubleValue();
    }

    @Test
    void theNeighbourhoodShrinksWithTheNumberOfResults() {
        AnnealTuner t = new AnnealTuner(OptimizeMode.MINIMIZE, Optional.empty(), new SplittableRandom(5));
        t.updateSearchSpace(SPACE);
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) t.suggest(id)).parameters();
            if (i > 0) {
                // centred on an earlier x in a window of 10 / (1 + 0.1 i), shifted to stay inside [0, 10]
                double half = 0.5 * 10 / (1 + 0.1 * i);
                double v = x(p);
                assertThat(xs).as("trial %d at x=%s", i, v)
                        .anySatisfy(c -> assertThat(Math.abs(v - Math.max(half, Math.min(10 - half, c))))
                                .isLessThanOrEqualTo(half + 1e-12));
            }
            xs.add(x(p));
            t.onResult(id, p, Math.abs(x(p) - 7.3));
            t.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        double best = xs.stream().mapToDouble(v -> Math.abs(v - 7.3)).min().orElseThrow();
        assertThat(best).isLessThan(0.01);
    }

    @Test
    void parallelOptimizeActsOnlyWhileTrialsArePending() {
        assertThat(run(true, Optional.of(AnnealTuner.Liar.MIN))).isEqualTo(run(true, Optional.empty()));
        assertThat(run(false, Optional.of(AnnealTuner.Liar.MIN))).isNotEqualTo(run(false, Optional.empty()));
    }

    /** 30 sequential trials, then 20 proposals either each reported at once or all left pending. */
    private static List<Parameters> run(boolean reportAtOnce, Optional<AnnealTuner.Liar> liar) {
        AnnealTuner t = new AnnealTuner(OptimizeMode.MINIMIZE, liar, new SplittableRandom(6));
        t.updateSearchSpace(SPACE);
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) t.suggest(id)).parameters();
            out.add(p);
            if (i < 30 || reportAtOnce) {
                t.onResult(id, p, Math.abs(x(p) - 7.3));
                t.onTrialEnd(id, TrialStatus.SUCCEEDED);
            }
        }
        return out;
    }
}
