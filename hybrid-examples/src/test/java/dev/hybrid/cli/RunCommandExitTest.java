package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid run}'s exit codes and one-line errors, through the command line's own error handling. */
class RunCommandExitTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int hybrid(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        System.setOut(o);
        System.setErr(e);
        try {
            var cl = HybridCommand.commandLine();
            cl.setOut(new java.io.PrintWriter(o, true));
            cl.setErr(new java.io.PrintWriter(e, true));
            return cl.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path config(String command) throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n", "searchSpaceFile: search_space.json",
                "trialCommand: " + command, "trialConcurrency: 2", "maxTrialNumber: 3", "tuner:", "  name: Random",
                "trainingService:", "  platform: local", ""));
        return config;
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBlankTrialCommandIsAConfigProblemWithItsPath() throws Exception {
        assertThat(hybrid("run", config("\"\"").toString(), "--work-dir", dir.resolve("w").toString())).isEqualTo(2);
        assertThat(output()).contains("trialCommand: must not be blank").doesNotContain("\tat ");
        assertThat(dir.resolve("w")).doesNotExist();
    }

    @Test
    void aRunWhereNoTrialSucceedsExitsWithOneAndTheFirstFailure() throws Exception {
        int code = hybrid("run", config("no-such-command-for-hybrid --now").toString(), "--id", "fail1",
                "--work-dir", dir.resolve("w").toString(), "--progress-interval", "0.5");
        assertThat(code).as(output()).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("hybrid: ")).toList())
                .singleElement().asString().contains("no trial succeeded (3 ran)").contains("the first failure")
                .contains("exit code 127").contains("no-such-command-for-hybrid");
        assertThat(output()).contains("ended DONE").doesNotContain("\tat ");
    }

    @Test
    void aRunWhoseDatabaseFolderIsDeletedEndsInErrorWithTheReason() throws Exception {
        // The second trial removes the experiment's db folder (trials run in <experiment>/trials/<id>).
        Files.writeString(dir.resolve("trial.sh"), String.join("\n",
                "if [ \"$NNI_TRIAL_SEQ_ID\" = 1 ]; then rm -rf \"$NNI_SYS_DIR/../../db\"; fi", ""));
        Path config = config("sh trial.sh");
        Files.writeString(config, Files.readString(config).replace("trialConcurrency: 2", "trialConcurrency: 1"));
        int code = hybrid("run", config.toString(), "--id", "lost1", "--work-dir", dir.resolve("w").toString(),
                "--progress-interval", "0.5");
        assertThat(code).as(output()).isEqualTo(1);
        assertThat(output()).contains("ended ERROR").contains("experiment.sqlite was deleted")
                .doesNotContain("ended DONE").doesNotContain("\tat ");
    }
}
