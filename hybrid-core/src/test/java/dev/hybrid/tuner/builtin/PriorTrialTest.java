package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.WarmStart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A resumed experiment runs some trials again under their ids: the loop tells the tuner of each through
 * {@link WarmStart#addPriorTrial} with {@code WAITING}, and its result arrives later through {@link Tuner#onResult}.
 * Every point-based tuner must learn that result exactly as if it had been given as a prior result, and must not
 * learn anything from a trial that ended without one.
 */
class PriorTrialTest {
    private static final SearchSpace SPACE = SearchSpace.parse("""
            {"x": {"_type": "uniform", "_value": [-5, 5]}, "y": {"_type": "uniform", "_value": [-5, 5]},
             "z": {"_type": "uniform", "_value": [-5, 5]}}""");
    private static final int PRIOR = 20;

    static Stream<Arguments> tuners() {
        // Evolution draws at random until its population is full: a population smaller than the prior results
        return Stream.of(Arguments.of("TPE", (Supplier<TunerProvider>) TpeTunerProvider::new, Map.of()),
                Arguments.of("GPTuner", (Supplier<TunerProvider>) GpTunerProvider::new, Map.of()),
                Arguments.of("Evolution", (Supplier<TunerProvider>) EvolutionTunerProvider::new,
                        Map.of("population_size", 8)),
                Arguments.of("Anneal", (Supplier<TunerProvider>) AnnealTunerProvider::new, Map.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tuners")
    void theResultOfATrialRunAgainAfterAResumeTeachesTheTunerAsAPriorResultDoes(String name,
            Supplier<TunerProvider> provider, Map<String, Object> args) {
        List<Parameters> points = points();
        // the last trial was interrupted by the crash and runs again; its result is the best of all
        Tuner everything = tuner(provider, args);
        for (int i = 0; i < PRIOR; i++) {
            ((WarmStart) everything).addPriorResult(id(i), points.get(i), value(i));
        }
        Tuner rerun = tuner(provider, args);
        for (int i = 0; i < PRIOR - 1; i++) {
            ((WarmStart) rerun).addPriorResult(id(i), points.get(i), value(i));
        }
        ((WarmStart) rerun).addPriorTrial(id(PRIOR - 1), points.get(PRIOR - 1), TrialStatus.WAITING);
        rerun.onResult(id(PRIOR - 1), points.get(PRIOR - 1), value(PRIOR - 1));
        rerun.onTrialEnd(id(PRIOR - 1), TrialStatus.SUCCEEDED);
        Tuner without = tuner(provider, args);
        for (int i = 0; i < PRIOR - 1; i++) {
            ((WarmStart) without).addPriorResult(id(i), points.get(i), value(i));
        }
        ((WarmStart) without).addPriorTrial(id(PRIOR - 1), points.get(PRIOR - 1), TrialStatus.SYS_CANCELED);
        without.onTrialEnd(id(PRIOR - 1), TrialStatus.SYS_CANCELED);

        List<Parameters> fromEverything = suggestions(everything);
        assertThat(suggestions(rerun)).as("the re-run trial's result is learnt").isEqualTo(fromEverything);
        assertThat(suggestions(without)).as("a trial without a result teaches nothing")
                .isNotEqualTo(fromEverything);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tuners")
    void aTrialRunAgainIsPendingUntilItEnds(String name, Supplier<TunerProvider> provider,
            Map<String, Object> args) {
        List<Parameters> points = points();
        Tuner tuner = tuner(provider, args);
        for (int i = 0; i < PRIOR - 1; i++) {
            ((WarmStart) tuner).addPriorResult(id(i), points.get(i), value(i));
        }
        ((WarmStart) tuner).addPriorTrial(id(PRIOR - 1), points.get(PRIOR - 1), TrialStatus.WAITING);
        // suggesting while it runs, then ending it without a result, leaves the tuner working
        List<Parameters> during = suggestions(tuner);
        tuner.onTrialEnd(id(PRIOR - 1), TrialStatus.FAILED);
        assertThat(during).hasSize(5).allSatisfy(p -> assertThat(p.values()).containsOnlyKeys("x", "y", "z"));
        assertThat(((Suggestion.Next) tuner.suggest(TrialId.of("after"))).parameters().values()).hasSize(3);
    }

    private static Tuner tuner(Supplier<TunerProvider> provider, Map<String, Object> args) {
        Problems problems = new Problems();
        Map<String, Object> all = new java.util.HashMap<>(args);
        all.put("optimize_mode", "minimize");
        Tuner t = provider.get().create(ConfigNode.of(all,
                FieldPath.of("tuner.classArgs"), problems), TunerContext.seeded(11));
        assertThat(problems.list()).isEmpty();
        t.updateSearchSpace(SPACE);
        return t;
    }

    private static List<Parameters> points() {
        SplittableRandom r = new SplittableRandom(5);
        List<Parameters> points = new ArrayList<>();
        for (int i = 0; i < PRIOR; i++) {
            points.add(new Parameters(Map.of("x", r.nextDouble(-5, 5), "y", r.nextDouble(-5, 5), "z",
                    r.nextDouble(-5, 5))));
        }
        return points;
    }

    /** Minimised; the last trial's is the best. */
    private static double value(int i) {
        return i == PRIOR - 1 ? -100.0 : i % 7;
    }

    private static TrialId id(int i) {
        return TrialId.of("old" + i);
    }

    private static List<Parameters> suggestions(Tuner tuner) {
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(((Suggestion.Next) tuner.suggest(TrialId.of("new" + i))).parameters());
        }
        return out;
    }
}
