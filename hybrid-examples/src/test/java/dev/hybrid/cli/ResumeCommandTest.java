package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.store.SqliteExperimentStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hybrid resume}: budgets may grow, the search space may not change. */
class ResumeCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int resume(String... args) {
        return new CommandLine(new ResumeCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
    }

    private Path config(String name, String space, int maxTrials) throws Exception {
        Files.writeString(dir.resolve("trial.sh"), String.join("\n",
                "printf 'ME000042{\"type\":\"FINAL\",\"sequence\":0,\"value\":\"1\"}\\n' >> \"$NNI_SYS_DIR/.nni/metrics\"",
                ""));
        Files.writeString(dir.resolve(name + ".json"), space);
        Path config = dir.resolve(name + ".yml");
        Files.writeString(config, String.join("\n", "searchSpaceFile: " + name + ".json",
                "trialCommand: sh trial.sh", "trialConcurrency: 1", "maxTrialNumber: " + maxTrials, "tuner:",
                "  name: Random", "trainingService:", "  platform: local", ""));
        return config;
    }

    @Test
    void aResumeMayRaiseTheBudgetButNotChangeTheSearchSpace() throws Exception {
        String space = "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}";
        Path first = config("first", space, 2);
        Path work = dir.resolve("work");
        assertThat(HybridCommand.commandLine().execute("run", first.toString(), "--id", "grow1", "--work-dir",
                work.toString(), "--progress-interval", "0.5")).isZero();

        Path changed = config("changed", "{\"y\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}", 4);
        assertThat(resume("grow1", "--work-dir", work.toString(), "--config", changed.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("searchSpace: cannot change when resuming");

        assertThat(resume("grow1", "--work-dir", work.toString(), "--max-trial-number", "4",
                "--progress-interval", "0.5")).as(err.toString(StandardCharsets.UTF_8)).isZero();
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(work.resolve("grow1"))) {
            store.open();
            assertThat(store.trials()).hasSize(4);
            assertThat(store.trials()).allMatch(t -> t.trial().finalValue().isPresent());
        }
    }
}
