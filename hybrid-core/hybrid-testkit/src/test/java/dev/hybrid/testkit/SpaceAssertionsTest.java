package dev.hybrid.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SpaceAssertionsTest {
    private static final SearchSpace SPACE = SearchSpace.parse("""
            {
              "n": {"_type": "randint", "_value": [0, 5]},
              "q": {"_type": "quniform", "_value": [0, 10, 2.5]},
              "w": {"_type": "qloguniform", "_value": [16, 128, 0.725]},
              "s": {"_type": "qnormal", "_value": [0, 1, 0.5]},
              "l": {"_type": "lognormal", "_value": [0, 1]},
              "m": {"_type": "choice", "_value": [
                {"_name": "svm", "C": {"_type": "uniform", "_value": [0, 1]}},
                {"_name": "none"},
                "plain"
              ]}
            }""");

    private static final String VALID = """
            {"n": 4, "q": 7.5, "w": 16.0, "s": -1.5, "l": 0.3, "m": {"_name": "svm", "C": 1.0}}""";

    @Test
    void validParametersPass() {
        SpaceAssertions.assertInSpace(SPACE, Parameters.fromJson(VALID));
        SpaceAssertions.assertInSpace(SPACE, Parameters.fromJson(VALID.replace(
                "{\"_name\": \"svm\", \"C\": 1.0}", "{\"_name\": \"none\"}")));
        SpaceAssertions.assertInSpace(SPACE, Parameters.fromJson(VALID.replace(
                "{\"_name\": \"svm\", \"C\": 1.0}", "\"plain\"").replace("16.0", "128.0")));
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("\"n\": 4", "\"n\": 5", "n: randint value must be in [0, 5), was 5"),
                Arguments.of("\"n\": 4", "\"n\": 4.0", "n: randint value must be an integer, was 4.0 (Double)"),
                Arguments.of("\"q\": 7.5", "\"q\": 7.0", "q: must lie on the q grid"),
                Arguments.of("\"q\": 7.5", "\"q\": 12.5", "q: must be in [0.0, 10.0], was 12.5"),
                Arguments.of("\"w\": 16.0", "\"w\": 17.0", "w: must lie on the q grid"),
                Arguments.of("\"s\": -1.5", "\"s\": -0.0", "s: must lie on the q grid"),
                Arguments.of("\"l\": 0.3", "\"l\": -0.3", "l: lognormal value must not be negative"),
                Arguments.of("\"l\": 0.3", "\"l\": \"0.3\"", "l: lognormal value must be a Double"),
                Arguments.of("\"C\": 1.0", "\"C\": 1.5", "m.C: must be in [0.0, 1.0], was 1.5"),
                Arguments.of("\"C\": 1.0", "\"C\": 1.0, \"D\": 2", "m.D: not a parameter of the space"),
                Arguments.of(", \"C\": 1.0", "", "m.C: missing"),
                Arguments.of("\"_name\": \"svm\"", "\"_name\": \"rf\"", "m._name: must name a branch"),
                Arguments.of("{\"_name\": \"svm\", \"C\": 1.0}", "\"other\"", "m: must be one of the choice's options"),
                Arguments.of("\"n\": 4,", "", "n: missing"),
                Arguments.of("\"n\": 4,", "\"n\": 4, \"extra\": 1,", "extra: not a parameter of the space"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("violations")
    void eachViolationIsReportedWithItsPath(String from, String to, String expected) {
        Parameters bad = Parameters.fromJson(VALID.replace(from, to));
        assertThat(SpaceAssertions.violations(SPACE, bad)).isNotEmpty()
                .anySatisfy(v -> assertThat(v).startsWith(expected));
        assertThatThrownBy(() -> SpaceAssertions.assertInSpace(SPACE, bad)).isInstanceOf(AssertionError.class)
                .hasMessageContaining(expected);
    }
}
