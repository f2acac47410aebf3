package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.TestSpaces;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BuiltinTunerProvidersTest {
    private static final FieldPath CLASS_ARGS = FieldPath.of("tuner.classArgs");

    private static List<String> problems(TunerProvider provider, Map<String, ?> classArgs) {
        Problems problems = new Problems();
        provider.create(ConfigNode.of(classArgs, CLASS_ARGS, problems), TunerContext.seeded(1));
        return problems.list().stream().map(ConfigProblem::toString).toList();
    }

    private static List<Parameters> first(Tuner tuner, int n) {
        tuner.updateSearchSpace(TestSpaces.allTypes());
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(((Suggestion.Next) tuner.suggest(TrialId.of("t" + i))).parameters());
        }
        return out;
    }

    @Test
    void bothTunersAreRegisteredUnderTheirNniNames() {
        List<String> names = ServiceLoader.load(TunerProvider.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("Random", "GridSearch");
    }

    @Test
    void randomAcceptsSeedAndOptimizeMode() {
        assertThat(problems(new RandomTunerProvider(), Map.of("seed", 7, "optimize_mode", "minimize"))).isEmpty();
        assertThat(problems(new RandomTunerProvider(), Map.of())).isEmpty();
    }

    @Test
    void randomReportsEveryBadClassArgAtItsPath() {
        assertThat(problems(new RandomTunerProvider(), Map.of("seed", "x", "optimize_mode", "maximise", "foo", 1)))
                .containsExactlyInAnyOrder(
                        "tuner.classArgs.seed: must be an integer, was 'x'",
                        "tuner.classArgs.optimize_mode: must be one of [maximize, minimize], was 'maximise'",
                        "tuner.classArgs.foo: unknown key; known: [seed, optimize_mode]");
    }

    @Test
    void theSeedClassArgTakesPrecedenceOverTheExperimentSeed() {
        Tuner fromArgs = new RandomTunerProvider().create(
                ConfigNode.of(Map.of("seed", 5), CLASS_ARGS, new Problems()), TunerContext.seeded(99));
        assertThat(first(fromArgs, 10)).isEqualTo(first(new RandomTuner(new SplittableRandom(5)), 10));
        Tuner fromContext = new RandomTunerProvider().create(
                ConfigNode.of(Map.of(), CLASS_ARGS, new Problems()), TunerContext.seeded(99));
        assertThat(first(fromContext, 10)).isEqualTo(first(new RandomTuner(new SplittableRandom(99)), 10));
    }

    @Test
    void gridSearchTakesNoClassArgs() {
        assertThat(problems(new GridSearchTunerProvider(), Map.of())).isEmpty();
        assertThat(problems(new GridSearchTunerProvider(), Map.of("foo", 1)))
                .containsExactly("tuner.classArgs.foo: unknown key; known: []");
        assertThat(problems(new GridSearchTunerProvider(), Map.of("optimize_mode", "maximize")))
                .containsExactly("tuner.classArgs.optimize_mode: unknown key; known: []");
    }
}
