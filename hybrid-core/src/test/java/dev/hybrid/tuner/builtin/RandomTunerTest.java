package dev.hybrid.tuner.builtin;

import static dev.hybrid.testkit.SpaceAssertions.assertInSpace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.testkit.TestSpaces;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RandomTunerTest {
    private static final int DRAWS = 4000;

    private static List<Parameters> draw(String json, long seed, int n) {
        RandomTuner t = new RandomTuner(new SplittableRandom(seed));
        SearchSpace space = SearchSpace.parse(json);
        t.updateSearchSpace(space);
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Parameters p = ((Suggestion.Next) t.suggest(TrialId.of("t" + i))).parameters();
            assertInSpace(space, p);
            out.add(p);
        }
        return out;
    }

    private static double[] doubles(List<Parameters> run, String name) {
        return run.stream().mapToDouble(p -> p.getDouble(name)).sorted().toArray();
    }

    private static Map<Object, Long> counts(List<Parameters> run, String name) {
        return run.stream().map(p -> p.get(name).orElseThrow())
                .collect(Collectors.groupingBy(Function.identity(), HashMap::new, Collectors.counting()));
    }

    @Test
    void randintHitsItsLowerBoundAndUpperMinusOneButNeverUpper() {
        Map<Object, Long> n = counts(draw("{\"n\": {\"_type\": \"randint\", \"_value\": [0, 5]}}", 1, DRAWS), "n");
        assertThat(n).containsOnlyKeys(0, 1, 2, 3, 4);
        assertThat(n.values()).allSatisfy(c -> assertThat(c).isBetween(DRAWS / 5 - 150L, DRAWS / 5 + 150L));
    }

    @Test
    void loguniformHasItsMedianNearTheGeometricMean() {
        double[] x = doubles(draw("{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0.0001, 1]}}", 2, DRAWS), "lr");
        assertThat(Math.log10(x[DRAWS / 2])).isCloseTo(-2, within(0.15));
        assertThat(x[0]).isGreaterThanOrEqualTo(0.0001);
        assertThat(x[DRAWS - 1]).isLessThanOrEqualTo(1);
        assertThat(x[DRAWS / 4]).isCloseTo(0.001, within(0.0005));
    }

    @Test
    void uniformCoversItsRangeEvenly() {
        double[] x = doubles(draw("{\"x\": {\"_type\": \"uniform\", \"_value\": [-2, 6]}}", 3, DRAWS), "x");
        assertThat(x[DRAWS / 2]).isCloseTo(2, within(0.3));
        assertThat(x[0]).isBetween(-2.0, -1.9);
        assertThat(x[DRAWS - 1]).isBetween(5.9, 6.0);
    }

    @Test
    void normalHasItsMeanAndSpread() {
        double[] x = doubles(draw("{\"x\": {\"_type\": \"normal\", \"_value\": [5, 2]}}", 4, DRAWS), "x");
        double mean = java.util.Arrays.stream(x).average().orElseThrow();
        double sd = Math.sqrt(java.util.Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / (DRAWS - 1));
        assertThat(mean).isCloseTo(5, within(0.15));
        assertThat(sd).isCloseTo(2, within(0.15));
    }

    @Test
    void lognormalIsTheExponentialOfANormal() {
        double[] x = doubles(draw("{\"x\": {\"_type\": \"lognormal\", \"_value\": [1, 0.5]}}", 5, DRAWS), "x");
        assertThat(Math.log(x[DRAWS / 2])).isCloseTo(1, within(0.05));
    }

    @Test
    void quniformHitsEachGridPointWithHalfWeightAtTheClippedEnds() {
        Map<Object, Long> q = counts(draw("{\"q\": {\"_type\": \"quniform\", \"_value\": [0, 10, 2.5]}}", 6, DRAWS),
                "q");
        assertThat(q).containsOnlyKeys(0.0, 2.5, 5.0, 7.5, 10.0);
        assertThat(q.get(0.0)).isBetween(DRAWS / 8 - 150L, DRAWS / 8 + 150L);
        assertThat(q.get(5.0)).isBetween(DRAWS / 4 - 150L, DRAWS / 4 + 150L);
    }

    @Test
    void qlognormalRoundsToMultiplesOfQWithoutClipping() {
        Map<Object, Long> q = counts(draw("{\"q\": {\"_type\": \"qlognormal\", \"_value\": [0, 1, 1]}}", 7, DRAWS),
                "q");
        assertThat(q).containsKey(0.0).containsKey(1.0);
        assertThat(q.keySet()).allSatisfy(v -> assertThat((double) v % 1).isZero());
    }

    @Test
    void choiceIsUniformOverItsOptions() {
        Map<Object, Long> c = counts(draw("{\"c\": {\"_type\": \"choice\", \"_value\": [\"a\", \"b\", 3, false]}}", 8,
                DRAWS), "c");
        assertThat(c).hasSize(4);
        assertThat(c.values()).allSatisfy(k -> assertThat(k).isBetween(DRAWS / 4 - 150L, DRAWS / 4 + 150L));
    }

    @Test
    void aNestedChoiceGivesTheBranchNameFirstThenItsParameters() {
        List<Parameters> run = draw(TestSpaces.nestedTwoLevels().toJson(), 9, 600);
        Map<Object, Long> branches = run.stream().map(p -> p.get("model").orElseThrow())
                .map(v -> v instanceof Map<?, ?> m ? m.get("_name") : v)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(branches).containsOnlyKeys("svm", "tree", "dummy");
        assertThat(branches.values()).allSatisfy(k -> assertThat(k).isBetween(150L, 250L));
        Parameters svm = run.stream().filter(p -> p.toJson().contains("\"svm\"")).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) svm.get("model").orElseThrow()).keySet()).map(String::valueOf)
                .containsExactly("_name", "C", "kernel");
    }

    @Test
    void aThreeLevelNestedSpaceReachesItsDeepestBranches() {
        List<Parameters> run = draw(TestSpaces.nestedThreeLevels().toJson(), 10, 1000);
        assertThat(run).anySatisfy(p -> assertThat(p.toJson()).contains("\"_name\":\"c1\""));
        assertThat(run).anySatisfy(p -> assertThat(p.toJson()).contains("\"_name\":\"c2\""));
        assertThat(run).anySatisfy(p -> assertThat(p.toJson()).contains("\"c\":7"));
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        String space = TestSpaces.allTypes().toJson();
        assertThat(draw(space, 1, 20)).isNotEqualTo(draw(space, 2, 20));
        assertThat(draw(space, 1, 20)).isEqualTo(draw(space, 1, 20));
    }

    @Test
    void hugeRandintRangesGiveLongs() {
        List<Parameters> run = draw("{\"n\": {\"_type\": \"randint\", \"_value\": [0, 100000000000]}}", 11, 50);
        assertThat(run).anySatisfy(p -> assertThat(p.get("n").orElseThrow()).isInstanceOf(Long.class));
    }

    @Test
    void aRandintWiderThanTheLongRangeIsSampled() {
        List<Parameters> run = draw(
                "{\"n\": {\"_type\": \"randint\", \"_value\": [-9000000000000000000, 9000000000000000000]}}",
                12, 20);
        assertThat(run).map(p -> p.get("n").orElseThrow()).doesNotHaveDuplicates();
    }

    @Test
    void suggestingBeforeASpaceIsSetIsAnError() {
        assertThatThrownBy(() -> new RandomTuner(new SplittableRandom(1)).suggest(TrialId.of("t")))
                .isInstanceOf(IllegalStateException.class);
    }
}
