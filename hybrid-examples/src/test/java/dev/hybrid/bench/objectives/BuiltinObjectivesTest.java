package dev.hybrid.bench.objectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.bench.Objective;
import dev.hybrid.bench.SharedBench;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Parameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BuiltinObjectivesTest {

    @ParameterizedTest
    @ValueSource(strings = {"branin", "hartmann6", "rosenbrock4", "ackley10", "mixed", "conditional"})
    void objectiveReproducesTheProblemsCheckPoints(String problem) throws Exception {
        Optional<Path> suite = SharedBench.locate();
        assumeTrue(suite.isPresent(), "the shared benchmark suite is not beside the project");
        Path file = suite.get().resolve(problem).resolve("check_points.json");
        JsonNode points = Json.readTree(Files.readString(file));
        Objective objective = BuiltinObjectives.forProblem(problem).orElseThrow();
        assertThat(points.size()).isGreaterThan(0);
        for (JsonNode point : points) {
            Parameters p = Parameters.fromJson(point.get("parameters").toString());
            double expected = point.get("value").doubleValue();
            double actual = objective.evaluate(p);
            assertThat(Math.abs(actual - expected)).as("%s at %s", problem, p)
                    .isLessThanOrEqualTo(1e-9 * Math.abs(expected) + 1e-12);
        }
    }
}
