package dev.hybrid.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.tuner.OptimizeMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigNodeTest {
    private final Problems problems = new Problems();

    private ConfigNode node(Map<String, ?> values) {
        return ConfigNode.of(values, FieldPath.of("tuner.classArgs"), problems);
    }

    @Test
    void typedGettersReadValuesAndDefaults() {
        ConfigNode n = node(Map.of("optimize_mode", "maximize", "gamma", 0.3, "n", 7, "flag", true));
        assertThat(n.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MINIMIZE))
                .isEqualTo(OptimizeMode.MAXIMIZE);
        assertThat(n.doubleIn("gamma", 0.25, 0, 1)).isEqualTo(0.3);
        assertThat(n.intIn("n", 1, 0, 10)).isEqualTo(7);
        assertThat(n.bool("flag", false)).isTrue();
        assertThat(n.doubleIn("absent", 0.25, 0, 1)).isEqualTo(0.25);
        assertThat(n.optionalLong("seed")).isEmpty();
        n.rejectUnknownKeys();
        assertThat(problems.isEmpty()).isTrue();
    }

    @Test
    void everyBadValueIsReportedAtItsPathInOnePass() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("optimize_mode", "maximise");
        values.put("gamma", 1.5);
        values.put("n", 2.5);
        values.put("tpe_args", Map.of("prior_weight", "heavy", "typo", 1));
        values.put("optimise_mode", "x");
        ConfigNode n = node(values);
        n.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MINIMIZE);
        n.doubleIn("gamma", 0.25, 0, 1);
        n.intIn("n", 1, 0, 10);
        ConfigNode tpe = n.child("tpe_args");
        tpe.doubleIn("prior_weight", 1, 0, 100);
        tpe.rejectUnknownKeys();
        n.rejectUnknownKeys();

        assertThat(problems.list()).extracting(p -> p.path().value()).containsExactly(
                "tuner.classArgs.optimize_mode",
                "tuner.classArgs.gamma",
                "tuner.classArgs.n",
                "tuner.classArgs.tpe_args.prior_weight",
                "tuner.classArgs.tpe_args.typo",
                "tuner.classArgs.optimise_mode");
        assertThatThrownBy(problems::throwIfAny)
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("6 problems:")
                .hasMessageContaining("tuner.classArgs.gamma: must be in [0, 1], was 1.5")
                .hasMessageContaining("tuner.classArgs.optimize_mode: must be one of [maximize, minimize], was 'maximise'");
    }

    @Test
    void secretNeverShowsItsValue() {
        record Machine(String host, Secret password) {
        }
        Machine m = new Machine("10.1.1.1", Secret.of("bob123"));
        assertThat(m.toString()).doesNotContain("bob123").contains("****");
        assertThat(m.password().reveal()).isEqualTo("bob123");
    }

    @Test
    void exceptionWithOneProblemReadsAsThatProblem() {
        ConfigException e = new ConfigException(FieldPath.of("machineList").index(0).child("port"),
                "must be in 1..65535, was 0");
        assertThat(e).hasMessage("machineList[0].port: must be in 1..65535, was 0");
        assertThat(e.problems()).hasSize(1);
        assertThat(List.copyOf(e.problems())).isEqualTo(e.problems());
    }

    @Test
    void indexListsAcceptEveryNniSpelling() {
        ConfigNode n = node(Map.of("a", 2, "b", List.of(0, 3), "c", "1, 2", "d", "0,x", "e", List.of(1, 1)));
        assertThat(n.indexList("a")).contains(List.of(2));
        assertThat(n.indexList("b")).contains(List.of(0, 3));
        assertThat(n.indexList("c")).contains(List.of(1, 2));
        assertThat(n.indexList("d")).isEmpty();
        assertThat(n.indexList("e")).isEmpty();
        assertThat(n.indexList("absent")).isEmpty();
        assertThat(problems.list()).extracting(p -> p.path().value())
                .containsExactly("tuner.classArgs.d", "tuner.classArgs.e");
    }
}
