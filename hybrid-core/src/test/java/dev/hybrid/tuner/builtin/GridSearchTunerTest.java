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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GridSearchTunerTest {

    private static GridSearchTuner tuner(String json) {
        GridSearchTuner t = new GridSearchTuner();
        t.updateSearchSpace(SearchSpace.parse(json));
        return t;
    }

    /** Suggestions until Done, or {@code max} of them. */
    private static List<Parameters> run(GridSearchTuner t, int max) {
        List<Parameters> out = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            Suggestion s = t.suggest(TrialId.of("t" + i));
            if (s instanceof Suggestion.Next next) {
                out.add(next.parameters());
            } else {
                assertThat(s).isInstanceOf(Suggestion.Done.class);
                break;
            }
        }
        return out;
    }

    private static List<Object> values(List<Parameters> run, String name) {
        return run.stream().map(p -> p.get(name).orElseThrow()).toList();
    }

    @Test
    void aDiscreteSpaceYieldsItsExactGridThenDone() {
        GridSearchTuner t = tuner("""
                {"a": {"_type": "choice", "_value": ["x", "y"]},
                 "n": {"_type": "randint", "_value": [0, 3]}}""");
        assertThat(run(t, 100)).map(Parameters::toJson).containsExactly(
                "{\"a\":\"x\",\"n\":0}", "{\"a\":\"x\",\"n\":1}", "{\"a\":\"x\",\"n\":2}",
                "{\"a\":\"y\",\"n\":0}", "{\"a\":\"y\",\"n\":1}", "{\"a\":\"y\",\"n\":2}");
        assertThat(t.suggest(TrialId.of("more"))).isInstanceOf(Suggestion.Done.class);
        assertThat(t.suggest(TrialId.of("still"))).isInstanceOf(Suggestion.Done.class);
    }

    @Test
    void quniformTakesItsDistinctQuantisedValues() {
        assertThat(values(run(tuner("{\"q\": {\"_type\": \"quniform\", \"_value\": [0, 10, 2.5]}}"), 100), "q"))
                .containsExactly(0.0, 2.5, 5.0, 7.5, 10.0);
        assertThat(values(run(tuner("{\"q\": {\"_type\": \"quniform\", \"_value\": [2, 10, 5]}}"), 100), "q"))
                .containsExactly(2.0, 5.0, 10.0);
        assertThat(values(run(tuner("{\"q\": {\"_type\": \"quniform\", \"_value\": [100, 1000, 3]}}"), 1000), "q"))
                .hasSize(301).startsWith(100.0, 102.0, 105.0).endsWith(996.0, 999.0).doesNotHaveDuplicates();
    }

    @Test
    void qloguniformTakesItsDistinctQuantisedValuesClippedToTheBounds() {
        List<Object> w = values(run(tuner("{\"w\": {\"_type\": \"qloguniform\", \"_value\": [16, 128, 0.725]}}"),
                1000), "w");
        assertThat(w).hasSize(177 - 22 + 1).startsWith(16.0).endsWith(128.0).doesNotHaveDuplicates()
                .contains(75 * 0.725);
    }

    @Test
    void repeatedChoiceOptionsAreProposedOnce() {
        assertThat(values(run(tuner("{\"c\": {\"_type\": \"choice\", \"_value\": [1, 2, 1, \"1\"]}}"), 100), "c"))
                .containsExactly(1, 2, "1");
    }

    @Test
    void aUniformIsRefinedFromItsMidpointToQuartersToEighths() {
        List<Object> x = values(run(tuner("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 8]}}"), 15), "x");
        assertThat(x).containsExactly(4.0, 2.0, 6.0, 1.0, 3.0, 5.0, 7.0,
                0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5);
    }

    @Test
    void eachRefinementProposesOnlyCombinationsNotYetProposed() {
        List<Parameters> run = run(tuner("""
                {"a": {"_type": "uniform", "_value": [0, 4]},
                 "b": {"_type": "uniform", "_value": [0, 4]}}"""), 9 + 40);
        assertThat(run.subList(0, 9)).map(Parameters::toJson).containsExactly(
                "{\"a\":2.0,\"b\":2.0}",
                "{\"a\":1.0,\"b\":2.0}", "{\"a\":1.0,\"b\":1.0}", "{\"a\":1.0,\"b\":3.0}",
                "{\"a\":3.0,\"b\":2.0}", "{\"a\":3.0,\"b\":1.0}", "{\"a\":3.0,\"b\":3.0}",
                "{\"a\":2.0,\"b\":1.0}", "{\"a\":2.0,\"b\":3.0}");
        assertThat(run).doesNotHaveDuplicates();
        assertThat(run.subList(9, 49)).allSatisfy(p -> assertThat(
                List.of(p.getDouble("a") % 1, p.getDouble("b") % 1)).as("a new point at the eighths").contains(0.5));
    }

    @Test
    void aContinuousParameterNextToAChoiceStartsWithItsMidpointForEveryOption() {
        List<Parameters> run = run(tuner("""
                {"x": {"_type": "uniform", "_value": [0, 8]},
                 "c": {"_type": "choice", "_value": ["p", "q"]}}"""), 6);
        assertThat(run).map(Parameters::toJson).containsExactly(
                "{\"x\":4.0,\"c\":\"p\"}", "{\"x\":4.0,\"c\":\"q\"}",
                "{\"x\":2.0,\"c\":\"p\"}", "{\"x\":2.0,\"c\":\"q\"}",
                "{\"x\":6.0,\"c\":\"p\"}", "{\"x\":6.0,\"c\":\"q\"}");
    }

    @Test
    void theNormalTypesStartAtTheirMeanAndSpreadByQuantiles() {
        List<Object> n = values(run(tuner("{\"n\": {\"_type\": \"normal\", \"_value\": [10, 2]}}"), 3), "n");
        assertThat((double) n.get(0)).isEqualTo(10.0);
        assertThat((double) n.get(1)).isCloseTo(10 - 2 * 0.6744897501960817, within(1e-12));
        assertThat((double) n.get(2)).isCloseTo(10 + 2 * 0.6744897501960817, within(1e-12));
        List<Object> l = values(run(tuner("{\"l\": {\"_type\": \"loguniform\", \"_value\": [1, 10000]}}"), 3), "l");
        assertThat((double) l.get(0)).isCloseTo(100, within(1e-9));
        assertThat((double) l.get(1)).isCloseTo(10, within(1e-9));
        assertThat((double) l.get(2)).isCloseTo(1000, within(1e-9));
    }

    @Test
    void aQuantisedNormalProposesEachDistinctValueOnce() {
        List<Object> q = values(run(tuner("{\"q\": {\"_type\": \"qnormal\", \"_value\": [0, 1, 1]}}"), 5), "q");
        assertThat(q).containsExactly(0.0, -1.0, 1.0, -2.0, 2.0);
    }

    @Test
    void aQuantisedNormalFarCoarserThanItsSpreadEndsAfterItsOneValue() {
        GridSearchTuner t = tuner("{\"q\": {\"_type\": \"qlognormal\", \"_value\": [0, 0.1, 1000]}}");
        assertThat(values(run(t, 10), "q")).containsExactly(0.0);
    }

    @Test
    void aNestedChoiceEnumeratesEachBranchsGrid() {
        List<Parameters> run = run(tuner("""
                {"m": {"_type": "choice", "_value": [
                  {"_name": "svm", "k": {"_type": "choice", "_value": ["rbf", "poly"]},
                                   "C": {"_type": "uniform", "_value": [0, 4]}},
                  "none",
                  {"_name": "tree", "depth": {"_type": "randint", "_value": [1, 3]}}
                ]}}"""), 7);
        assertThat(run).map(Parameters::toJson).containsExactly(
                "{\"m\":{\"_name\":\"svm\",\"k\":\"rbf\",\"C\":2.0}}",
                "{\"m\":{\"_name\":\"svm\",\"k\":\"poly\",\"C\":2.0}}",
                "{\"m\":\"none\"}",
                "{\"m\":{\"_name\":\"tree\",\"depth\":1}}",
                "{\"m\":{\"_name\":\"tree\",\"depth\":2}}",
                "{\"m\":{\"_name\":\"svm\",\"k\":\"rbf\",\"C\":1.0}}",
                "{\"m\":{\"_name\":\"svm\",\"k\":\"rbf\",\"C\":3.0}}");
    }

    @Test
    void aFiniteNestedSpaceIsExhaustedExactly() {
        GridSearchTuner t = new GridSearchTuner();
        t.updateSearchSpace(TestSpaces.finite());
        List<Parameters> run = run(t, 1000);
        assertThat(run).hasSize(TestSpaces.FINITE_SIZE).doesNotHaveDuplicates();
        run.forEach(p -> assertInSpace(TestSpaces.finite(), p));
    }

    @Test
    void aThreeLevelNestedSpaceKeepsYieldingNewCombinations() {
        GridSearchTuner t = new GridSearchTuner();
        SearchSpace space = TestSpaces.nestedThreeLevels();
        t.updateSearchSpace(space);
        List<Parameters> run = run(t, 2000);
        assertThat(run).hasSize(2000);
        assertThat(new HashSet<>(run)).hasSize(2000);
        run.forEach(p -> assertInSpace(space, p));
        assertThat(run).map(p -> (Object) ((Map<?, ?>) p.get("a").orElseThrow()).get("_name")).contains("a1", "a2");
    }

    @Test
    void theFirstProposalOfEveryTypeIsItsFirstValueOrMedian() {
        GridSearchTuner t = new GridSearchTuner();
        t.updateSearchSpace(TestSpaces.allTypes());
        Parameters p = ((Suggestion.Next) t.suggest(TrialId.of("first"))).parameters();
        assertThat(p.values()).containsEntry("optimizer", "sgd").containsEntry("layers", -3)
                .containsEntry("dropout", 0.0).containsEntry("batch", 0.0).containsEntry("width", 16.0)
                .containsEntry("bias", 0.0).containsEntry("shift", 0.0).containsEntry("scale", 1.0);
        assertThat(p.getDouble("lr")).isCloseTo(Math.sqrt(1e-5), within(1e-15));
        assertThat(p.getDouble("steps")).isCloseTo(2.8, within(1e-12));
    }

    @Test
    void hugeDiscreteRangesAreWalkedWithoutListingThem() {
        GridSearchTuner t = tuner("""
                {"n": {"_type": "randint", "_value": [0, 1000000000000]},
                 "q": {"_type": "quniform", "_value": [0, 1e12, 0.5]},
                 "x": {"_type": "uniform", "_value": [0, 1]}}""");
        List<Parameters> run = run(t, 3);
        assertThat(run).map(Parameters::toJson).containsExactly(
                "{\"n\":0,\"q\":0.0,\"x\":0.5}", "{\"n\":0,\"q\":0.5,\"x\":0.5}", "{\"n\":0,\"q\":1.0,\"x\":0.5}");
    }

    @Test
    void rangesBeyondTheLongRangeStillYieldValues() {
        GridSearchTuner t = tuner("""
                {"n": {"_type": "randint", "_value": [-9000000000000000000, 9000000000000000000]},
                 "q": {"_type": "quniform", "_value": [0, 1e300, 1e-300]}}""");
        assertThat(run(t, 2)).map(Parameters::toJson).containsExactly(
                "{\"n\":-9000000000000000000,\"q\":0.0}", "{\"n\":-9000000000000000000,\"q\":1.0E-300}");
    }

    @Test
    void updatingTheSpaceStartsItsGridAfresh() {
        GridSearchTuner t = tuner("{\"a\": {\"_type\": \"choice\", \"_value\": [1, 2]}}");
        assertThat(run(t, 10)).hasSize(2);
        t.updateSearchSpace(SearchSpace.parse("{\"a\": {\"_type\": \"choice\", \"_value\": [1, 2, 3]}}"));
        assertThat(values(run(t, 10), "a")).containsExactly(1, 2, 3);
    }

    @Test
    void suggestingBeforeASpaceIsSetIsAnError() {
        assertThatThrownBy(() -> new GridSearchTuner().suggest(TrialId.of("t")))
                .isInstanceOf(IllegalStateException.class);
    }
}
