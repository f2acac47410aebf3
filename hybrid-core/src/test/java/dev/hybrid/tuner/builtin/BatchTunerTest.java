package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigException;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class BatchTunerTest {
    private static final String BATCH = """
            {"combine_params": {"_type": "choice", "_value": [
              {"optimizer": "sgd", "lr": 0.1, "layers": 2},
              {"optimizer": "adam", "lr": 0.001, "layers": 3},
              {"optimizer": "sgd", "lr": 0.01, "layers": 2}
            ]}}""";

    @Test
    void itProposesEachListedSetInOrderThenDone() {
        BatchTuner t = new BatchTuner();
        t.updateSearchSpace(SearchSpace.parse(BATCH));
        List<Object> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TrialId id = TrialId.of("t" + i);
            Parameters p = ((Suggestion.Next) t.suggest(id)).parameters();
            seen.add(p.values());
            t.onResult(id, p, i);
        }
        assertThat(seen).containsExactly(
                Map.of("optimizer", "sgd", "lr", 0.1, "layers", 2),
                Map.of("optimizer", "adam", "lr", 0.001, "layers", 3),
                Map.of("optimizer", "sgd", "lr", 0.01, "layers", 2));
        assertThat(t.suggest(TrialId.of("t3"))).isInstanceOf(Suggestion.Done.class);
        assertThat(t.suggest(TrialId.of("t4"))).isInstanceOf(Suggestion.Done.class);
    }

    @Test
    void setsThatRanBeforeAResumeAreNotRunAgain() {
        BatchTuner t = new BatchTuner();
        t.updateSearchSpace(SearchSpace.parse(BATCH));
        t.addPriorResult(TrialId.of("old"), new Parameters(Map.of("optimizer", "adam", "lr", 0.001, "layers", 3.0)),
                0.5);
        t.addPriorResult(TrialId.of("odd"), new Parameters(Map.of("optimizer", "rmsprop")), 0.5);
        assertThat(((Suggestion.Next) t.suggest(TrialId.of("a"))).parameters().values()).containsEntry("lr", 0.1);
        assertThat(((Suggestion.Next) t.suggest(TrialId.of("b"))).parameters().values()).containsEntry("lr", 0.01);
        assertThat(t.suggest(TrialId.of("c"))).isInstanceOf(Suggestion.Done.class);
    }

    @Test
    void eachListedSetLiesInTheBatchSpaceForImports() {
        SearchSpace space = SearchSpace.parse(BATCH);
        assertThat(space.violations(new Parameters(Map.of("optimizer", "adam", "lr", 0.001, "layers", 3.0))))
                .isEmpty();
        assertThat(space.violations(new Parameters(Map.of("optimizer", "adam", "lr", 0.5, "layers", 3))))
                .isNotEmpty();
    }

    @Test
    void anyOtherSpaceIsRefusedNamingTheParameter() {
        BatchTuner t = new BatchTuner();
        assertThatThrownBy(() -> t.updateSearchSpace(SearchSpace.parse(
                "{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}")))
                .isInstanceOf(UnsupportedSearchSpaceException.class).hasMessageContaining("'lr'")
                .hasMessageContaining("combine_params");
        assertThatThrownBy(() -> t.updateSearchSpace(SearchSpace.parse(
                "{\"combine_params\": {\"_type\": \"choice\", \"_value\": [1, 2]}}")))
                .isInstanceOf(UnsupportedSearchSpaceException.class)
                .hasMessageContaining("option 0 is not a parameter set");
        assertThatThrownBy(() -> t.updateSearchSpace(SearchSpace.parse(
                "{\"combine_params\": {\"_type\": \"randint\", \"_value\": [1, 2]}}")))
                .isInstanceOf(UnsupportedSearchSpaceException.class).hasMessageContaining("must be a choice");
    }

    @Test
    void anExperimentRunsExactlyTheBatchAndEnds() throws Exception {
        List<Map<String, Object>> ran = new CopyOnWriteArrayList<>();
        try (Experiment e = Experiment.builder().searchSpace(SearchSpace.parse(BATCH)).tuner("BatchTuner", Map.of())
                .trialConcurrency(1).maxTrialNumber(10).trialFunction((p, r) -> {
                    ran.add(p.values());
                    r.reportFinal(1);
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).as(h.summary().toString()).isTrue();
            assertThat(h.trials()).hasSize(3);
        }
        assertThat(ran).extracting(m -> m.get("lr")).containsExactly(0.1, 0.001, 0.01);
    }

    @Test
    void aNamedTunerThatCannotSearchTheSpaceIsAConfigurationErrorAtTheParameter() {
        for (String name : List.of("BatchTuner", "Batch")) {
            assertThatThrownBy(() -> Experiment.builder()
                    .searchSpace(SearchSpace.parse("{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}"))
                    .tuner(name, Map.of()).trialFunction((p, r) -> r.reportFinal(1)).build())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("searchSpace.lr: BatchTuner cannot search parameter 'lr'");
        }
    }
}
