package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.space.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessObjectiveTest {
    static final String EVALUATOR = """
            import json, sys
            for line in sys.stdin:
                p = json.loads(line)
                if p["x"] < 0:
                    print(json.dumps({"error": "x must not be negative"}), flush=True)
                else:
                    print(json.dumps({"value": 2 * p["x"], "eval_s": 0.0}), flush=True)
            """;

    static boolean hasPython() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void evaluatorIsSpokenToLineByLineAndItsErrorsAreReported(@TempDir Path dir) throws IOException {
        assumeTrue(hasPython(), "python3 is not on the PATH");
        Path script = dir.resolve("evaluate.py");
        Files.writeString(script, EVALUATOR);
        try (ProcessObjective objective = ProcessObjective.start(script)) {
            assertThat(objective.evaluate(new Parameters(Map.of("x", 1.5)))).isEqualTo(3.0);
            assertThat(objective.evaluate(new Parameters(Map.of("x", 4)))).isEqualTo(8.0);
            assertThatThrownBy(() -> objective.evaluate(new Parameters(Map.of("x", -1))))
                    .isInstanceOf(BenchException.class).hasMessageContaining("x must not be negative");
            assertThat(objective.evaluate(new Parameters(Map.of("x", 0.25)))).isEqualTo(0.5);
        }
    }

    @Test
    void evaluatorThatExitsIsAClearError(@TempDir Path dir) throws IOException {
        assumeTrue(hasPython(), "python3 is not on the PATH");
        Path script = dir.resolve("evaluate.py");
        Files.writeString(script, "import sys\nsys.exit(3)\n");
        try (ProcessObjective objective = ProcessObjective.start(script)) {
            assertThatThrownBy(() -> objective.evaluate(new Parameters(Map.of("x", 1))))
                    .isInstanceOf(BenchException.class).hasMessageContaining("exit");
        }
    }
}
