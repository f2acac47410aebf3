package dev.hybrid.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.FieldPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SearchSpaceTest {

    static Stream<Arguments> everyType() {
        return Stream.of(
                Arguments.of("{\"_type\": \"choice\", \"_value\": [\"a\", 1, 2.5, true]}", new Choice("p", List.of(
                        new ChoiceOption.Value("a"), new ChoiceOption.Value(1), new ChoiceOption.Value(2.5),
                        new ChoiceOption.Value(true)))),
                Arguments.of("{\"_type\": \"randint\", \"_value\": [-2, 5]}", new RandInt("p", -2, 5)),
                Arguments.of("{\"_type\": \"uniform\", \"_value\": [0, 1.5]}", new Uniform("p", 0, 1.5)),
                Arguments.of("{\"_type\": \"quniform\", \"_value\": [0, 10, 2.5]}", new QUniform("p", 0, 10, 2.5)),
                Arguments.of("{\"_type\": \"loguniform\", \"_value\": [1e-5, 0.1]}", new LogUniform("p", 1e-5, 0.1)),
                Arguments.of("{\"_type\": \"qloguniform\", \"_value\": [16, 128, 0.725]}",
                        new QLogUniform("p", 16, 128, 0.725)),
                Arguments.of("{\"_type\": \"normal\", \"_value\": [-1, 2]}", new Normal("p", -1, 2)),
                Arguments.of("{\"_type\": \"qnormal\", \"_value\": [0, 1, 0.5]}", new QNormal("p", 0, 1, 0.5)),
                Arguments.of("{\"_type\": \"lognormal\", \"_value\": [0, 1]}", new LogNormal("p", 0, 1)),
                Arguments.of("{\"_type\": \"qlognormal\", \"_value\": [1, 0.5, 2]}", new QLogNormal("p", 1, 0.5, 2)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("everyType")
    void eachTypeParsesIntoItsRecord(String entry, ParameterSpec expected) {
        SearchSpace space = SearchSpace.parse("{\"p\": " + entry + "}");
        assertThat(space.parameters()).containsExactly(expected);
        assertThat(space.get("p")).contains(expected);
    }

    @Test
    void parametersKeepTheFileOrder() {
        SearchSpace space = SearchSpace.parse("""
                {"z": {"_type": "uniform", "_value": [0, 1]},
                 "a": {"_type": "uniform", "_value": [0, 1]},
                 "m": {"_type": "uniform", "_value": [0, 1]}}""");
        assertThat(space.names()).containsExactly("z", "a", "m");
    }

    @Test
    void nestedChoicesNestToAnyDepth() {
        SearchSpace space = SearchSpace.parse("""
                {"a": {"_type": "choice", "_value": [
                  {"_name": "a1", "b": {"_type": "choice", "_value": [
                    {"_name": "b1", "c": {"_type": "choice", "_value": [
                      {"_name": "c1", "x": {"_type": "uniform", "_value": [0, 1]}},
                      {"_name": "c2"},
                      "plain"
                    ]}}
                  ]}},
                  {"_name": "a2"}
                ]}}""");
        Choice a = (Choice) space.get("a").orElseThrow();
        assertThat(a.isNested()).isTrue();
        ChoiceOption.Nested a1 = (ChoiceOption.Nested) a.options().get(0);
        assertThat(a1.name()).isEqualTo("a1");
        Choice b = (Choice) a1.space().get("b").orElseThrow();
        Choice c = (Choice) ((ChoiceOption.Nested) b.options().get(0)).space().get("c").orElseThrow();
        assertThat(c.options()).containsExactly(
                new ChoiceOption.Nested("c1", SearchSpace.of(new Uniform("x", 0, 1))),
                new ChoiceOption.Nested("c2", SearchSpace.of()),
                new ChoiceOption.Value("plain"));
        assertThat(a.options().get(1)).isEqualTo(new ChoiceOption.Nested("a2", SearchSpace.of()));
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0, 1]}}",
                        List.of("lr._value: loguniform needs low > 0, was 0")),
                Arguments.of("{\"lr\": {\"_type\": \"uniform\", \"_value\": [0, 1, 2]}}",
                        List.of("lr._value: uniform needs 2 values [low, high], got 3")),
                Arguments.of("{\"lr\": {\"_type\": \"qnormal\", \"_value\": [0, 1]}}",
                        List.of("lr._value: qnormal needs 3 values [mu, sigma, q], got 2")),
                Arguments.of("{\"lr\": {\"_type\": \"uniform\", \"_value\": []}}",
                        List.of("lr._value: uniform needs 2 values [low, high], got 0")),
                Arguments.of("{\"x\": {\"_type\": \"uniform\", \"_value\": [2, 2]}}",
                        List.of("x._value: uniform needs low < high, was low=2, high=2")),
                Arguments.of("{\"x\": {\"_type\": \"quniform\", \"_value\": [5, 1, 1]}}",
                        List.of("x._value: quniform needs low < high, was low=5, high=1")),
                Arguments.of("{\"x\": {\"_type\": \"quniform\", \"_value\": [0, 1, 0]}}",
                        List.of("x._value: quniform needs q > 0, was 0")),
                Arguments.of("{\"n\": {\"_type\": \"randint\", \"_value\": [1.5, 4]}}",
                        List.of("n._value[0]: randint bounds must be integers, was 1.5")),
                Arguments.of("{\"n\": {\"_type\": \"randint\", \"_value\": [5.0, 9]}}",
                        List.of("n._value[0]: randint bounds must be integers, was 5.0")),
                Arguments.of("{\"n\": {\"_type\": \"randint\", \"_value\": [1, \"9\"]}}",
                        List.of("n._value[1]: randint bounds must be integers, was '9'")),
                Arguments.of("{\"n\": {\"_type\": \"randint\", \"_value\": [4, 4]}}",
                        List.of("n._value: randint needs lower < upper (upper is excluded), was [4, 4]")),
                Arguments.of("{\"x\": {\"_type\": \"uniform\", \"_value\": [\"a\", 1]}}",
                        List.of("x._value[0]: must be a finite number, was 'a'")),
                Arguments.of("{\"x\": {\"_type\": \"gaussian\", \"_value\": [0, 1]}}",
                        List.of("x._type: unknown _type 'gaussian'; known: choice, randint, uniform, quniform, "
                                + "loguniform, qloguniform, normal, qnormal, lognormal, qlognormal")),
                Arguments.of("{\"c\": {\"_type\": \"choice\", \"_value\": []}}",
                        List.of("c._value: choice needs at least one option")),
                Arguments.of("{\"s\": {\"_type\": \"normal\", \"_value\": [0, 0]}}",
                        List.of("s._value: normal needs sigma > 0, was 0")),
                Arguments.of("{\"s\": {\"_type\": \"lognormal\", \"_value\": [0, -1]}}",
                        List.of("s._value: lognormal needs sigma > 0, was -1")),
                Arguments.of("{\"x\": {\"_value\": [0, 1]}}",
                        List.of("x._type: is missing; one of " + List.of("choice", "randint", "uniform", "quniform",
                                "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"))),
                Arguments.of("{\"x\": {\"_type\": \"uniform\"}}", List.of("x._value: is missing")),
                Arguments.of("{\"x\": {\"_type\": \"uniform\", \"_value\": 3}}",
                        List.of("x._value: must be a list, was 3")),
                Arguments.of("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1], \"_default\": 0}}",
                        List.of("x._default: unknown key; a parameter has only _type and _value")),
                Arguments.of("{\"m\": {\"_type\": \"choice\", \"_value\": [{\"C\": {\"_type\": \"uniform\", "
                                + "\"_value\": [0, 1]}}]}}",
                        List.of("m._value[0]._name: a nested choice option needs a _name")),
                Arguments.of("{\"m\": {\"_type\": \"choice\", \"_value\": [{\"_name\": \"a\"}, {\"_name\": \"a\"}]}}",
                        List.of("m._value[1]._name: duplicate branch name 'a'")),
                Arguments.of("{\"m\": {\"_type\": \"choice\", \"_value\": [1, null]}}",
                        List.of("m._value[1]: a choice option must be a string, number, boolean or nested "
                                + "{\"_name\": ...} object, was null")),
                Arguments.of("{\"x\": 3}", List.of("x: must be an object {\"_type\": ..., \"_value\": [...]}, was 3")),
                Arguments.of("{\"x\": [0, 1]}",
                        List.of("x: must be an object {\"_type\": ..., \"_value\": [...]}, was a list")),
                Arguments.of("[]", List.of("search space must be a JSON object of parameter name to "
                        + "{\"_type\": ..., \"_value\": [...]}, was a list")),
                Arguments.of("{}", List.of("search space has no parameters")),
                Arguments.of("""
                        {"model": {"_type": "choice", "_value": [
                          {"_name": "svm", "C": {"_type": "loguniform", "_value": [-1, 10]}}]}}""",
                        List.of("model._value[0].C._value: loguniform needs low > 0, was -1")),
                Arguments.of("""
                        {"a": {"_type": "choice", "_value": [{"_name": "a1", "b": {"_type": "choice", "_value": [
                          {"_name": "b1", "c": {"_type": "choice", "_value": [
                            {"_name": "c1", "x": {"_type": "randint", "_value": [3, 1]}}]}}]}}]}}""",
                        List.of("a._value[0].b._value[0].c._value[0].x._value: "
                                + "randint needs lower < upper (upper is excluded), was [3, 1]")));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("mistakes")
    void eachMistakeIsReportedWithItsPath(String json, List<String> expected) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SearchSpace.parse(json));
        assertThat(e).as("parsing %s", json).isNotNull();
        assertThat(e.problems()).map(ConfigProblem::toString).containsExactlyElementsOf(expected);
    }

    @Test
    void threeMistakesGiveExactlyThreeProblems() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SearchSpace.parse("""
                {"lr": {"_type": "loguniform", "_value": [0, 1]},
                 "ok": {"_type": "uniform", "_value": [0, 1]},
                 "layers": {"_type": "randint", "_value": [1.5, 4]},
                 "model": {"_type": "choice", "_value": [
                   {"_name": "svm", "C": {"_type": "normal", "_value": [0, 0]}}]}}"""));
        assertThat(e.problems()).map(ConfigProblem::toString).containsExactly(
                "lr._value: loguniform needs low > 0, was 0",
                "layers._value[0]: randint bounds must be integers, was 1.5",
                "model._value[0].C._value: normal needs sigma > 0, was 0");
        assertThat(e).hasMessageStartingWith("3 problems:");
    }

    @Test
    void missingTypeAndValueAreBothReported() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> SearchSpace.parse("{\"x\": {}}"));
        assertThat(e.problems()).map(p -> p.path().value()).containsExactly("x._type", "x._value");
    }

    @Test
    void invalidJsonIsAProblemAtTheRoot() {
        assertThatThrownBy(() -> SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("search space is not valid JSON");
    }

    @Test
    void duplicateKeysAreInvalidJson() {
        assertThatThrownBy(() -> SearchSpace.parse("""
                {"x": {"_type": "uniform", "_value": [0, 1]}, "x": {"_type": "uniform", "_value": [0, 2]}}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void problemsOfAnInlineSpaceAreReportedUnderItsPath() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SearchSpace.fromPlain(
                Map.of("lr", Map.of("_type", "loguniform", "_value", List.of(0, 1))), FieldPath.of("searchSpace")));
        assertThat(e.problems()).map(ConfigProblem::toString)
                .containsExactly("searchSpace.lr._value: loguniform needs low > 0, was 0");
    }

    @Test
    void aSpaceOfEveryTypeSurvivesARoundTrip() {
        SearchSpace space = SearchSpace.parse("""
                {
                  "c": {"_type": "choice", "_value": ["a", 1, 2.5, true, 10000000000,
                    {"_name": "deep", "inner": {"_type": "choice", "_value": [
                      {"_name": "deeper", "q": {"_type": "qlognormal", "_value": [1, 0.5, 2]}}, "leaf"]}},
                    {"_name": "empty"}]},
                  "r": {"_type": "randint", "_value": [-2, 5]},
                  "u": {"_type": "uniform", "_value": [0, 1.5]},
                  "qu": {"_type": "quniform", "_value": [0, 10, 2.5]},
                  "lu": {"_type": "loguniform", "_value": [1e-5, 0.1]},
                  "qlu": {"_type": "qloguniform", "_value": [16, 128, 0.725]},
                  "n": {"_type": "normal", "_value": [-1, 2]},
                  "qn": {"_type": "qnormal", "_value": [0, 1, 0.5]},
                  "ln": {"_type": "lognormal", "_value": [0, 1]},
                  "qln": {"_type": "qlognormal", "_value": [1, 0.5, 2]}
                }""");
        assertThat(SearchSpace.parse(space.toJson())).isEqualTo(space);
        assertThat(SearchSpace.fromPlain(space.toPlain(), FieldPath.ROOT)).isEqualTo(space);
    }

    static Stream<Path> benchSpaces() throws IOException {
        Path shared = sharedFolder();
        Assumptions.assumeTrue(shared != null, "no ../shared folder above the working directory");
        Path bench = shared.resolve("bench");
        Assumptions.assumeTrue(Files.isDirectory(bench), "no bench folder in ../shared");
        try (Stream<Path> dirs = Files.list(bench)) {
            List<Path> files = dirs.map(d -> d.resolve("search_space.json")).filter(Files::isRegularFile).sorted()
                    .toList();
            Assumptions.assumeFalse(files.isEmpty(), "no bench search spaces");
            return files.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("benchSpaces")
    void theBenchSpacesSurviveARoundTrip(Path file) {
        SearchSpace space = SearchSpace.read(file);
        assertThat(space.isEmpty()).isFalse();
        assertThat(SearchSpace.parse(space.toJson())).isEqualTo(space);
    }

    /** The shared design folder ({@code ../shared} from the project root): the nearest ancestor's {@code shared}. */
    private static Path sharedFolder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("bench"))) {
                return candidate;
            }
        }
        return null;
    }

    @Test
    void qlogUniformRoundsHalfToEvenThenClips() {
        QLogUniform spec = new QLogUniform("w", 16, 128, 0.725);
        assertThat(Math.exp(4.0)).isCloseTo(54.598, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(ValueMapping.fromInternal(spec, 4.0)).isCloseTo(54.375, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(spec.quantize(10)).isEqualTo(16);
        assertThat(spec.quantize(500)).isEqualTo(128);
    }

    @Test
    void qUniformClipsARoundedValueBelowItsLowBound() {
        QUniform spec = new QUniform("b", 100, 1000, 3);
        assertThat(Math.rint(100.1 / 3) * 3).isEqualTo(99.0);
        assertThat(spec.quantize(100.1)).isEqualTo(100.0);
        assertThat(ValueMapping.fromInternal(spec, 100.1)).isEqualTo(100.0);
    }

    @Test
    void quantizingRoundsHalfToEven() {
        QUniform spec = new QUniform("b", 0, 10, 1);
        assertThat(spec.quantize(2.5)).isEqualTo(2.0);
        assertThat(spec.quantize(3.5)).isEqualTo(4.0);
        assertThat(new QNormal("n", 0, 1, 1).quantize(-0.5)).isEqualTo(0.0);
        assertThat(Double.doubleToRawLongBits(new QNormal("n", 0, 1, 1).quantize(-0.4))).as("never -0.0")
                .isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(new QLogNormal("n", 0, 1, 2).quantize(5)).isEqualTo(4.0);
    }

    @Test
    void theRecordsRejectInvalidArguments() {
        assertThatThrownBy(() -> new Uniform("x", 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LogUniform("x", 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new QUniform("x", 0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Normal("x", 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RandInt("x", 3, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Choice("x", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchSpace.of(new Uniform("x", 0, 1), new Normal("x", 0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate parameter name 'x'");
    }
}
