package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.trial.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule for NaN and ±Infinity final results, from the trial to every command: such a trial fails, is never the
 * best, shows no value, exports none and cannot be imported.
 */
class NonFiniteResultsTest {
    @TempDir
    static Path dir;
    static Path work;
    static String runOutput;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Trial {@code i} reports the {@code i}-th value: three that are no result, then 0.5, 0.25 and an object. */
    private static final String TRIAL = """
            case "$NNI_TRIAL_SEQ_ID" in
              0) v='-Infinity' ;; 1) v='NaN' ;; 2) v='Infinity' ;; 3) v='0.5' ;; 4) v='0.25' ;;
              *) v='{\\"default\\": 0.75, \\"loss\\": NaN}' ;;
            esac
            j="{\\"type\\":\\"FINAL\\",\\"sequence\\":0,\\"value\\":\\"$v\\"}"
            printf 'ME%06d%s\\n' "$(( ${#j} + 1 ))" "$j" >> "$NNI_SYS_DIR/.nni/metrics"
            """;

    @BeforeAll
    static void runOneExperiment() throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n", "experimentName: nan-test",
                "searchSpaceFile: search_space.json", "trialCommand: sh trial.sh", "trialConcurrency: 1",
                "maxTrialNumber: 6", "tuner:", "  name: Random", "  classArgs: {seed: 5, optimize_mode: minimize}",
                "trainingService:", "  platform: local", ""));
        work = dir.resolve("work");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = HybridCommand.commandLine().execute("run", config.toString(), "--id", "nan1", "--work-dir",
                    work.toString(), "--progress-interval", "0.5");
        } finally {
            System.setOut(old);
        }
        runOutput = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(runOutput).isZero();
    }

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

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theTrialsFailWithTheReasonAndTheRunSummaryRanksOnlyFiniteResults() {
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(work.resolve("nan1"))) {
            store.open();
            var trials = store.trials();
            assertThat(trials).extracting(t -> t.trial().status()).containsExactly(TrialStatus.FAILED,
                    TrialStatus.FAILED, TrialStatus.FAILED, TrialStatus.SUCCEEDED, TrialStatus.SUCCEEDED,
                    TrialStatus.SUCCEEDED);
            assertThat(trials.subList(0, 3)).allSatisfy(t -> {
                assertThat(t.trial().message()).contains("finite number");
                assertThat(t.trial().finalValue()).isEmpty();
            });
        }
        String ranking = runOutput.substring(runOutput.indexOf("Best trials"));
        assertThat(ranking).doesNotContain("Infinity").doesNotContain("NaN");
        List<String> rows = ranking.lines().skip(2).takeWhile(l -> !l.isBlank()).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).contains("0.250000");
        assertThat(runOutput).contains("best 0.250000");
    }

    @Test
    void listAndTopShowTheSameBestAndNoValueForTheFailedTrials() {
        assertThat(hybrid("list", "--work-dir", work.toString())).isZero();
        assertThat(stdout().lines().filter(l -> l.startsWith("nan1")).findFirst().orElseThrow()).contains("0.250000");
        out.reset();
        assertThat(hybrid("trials", "nan1", "--work-dir", work.toString(), "--top", "6")).isZero();
        List<String> top = stdout().lines().skip(1).toList();
        assertThat(top).extracting(l -> l.trim().split("\\s+")[3]).containsExactly("0.250000", "0.500000",
                "0.750000");
        out.reset();
        assertThat(hybrid("trials", "nan1", "--work-dir", work.toString(), "--status", "FAILED", "--top", "6"))
                .isZero();
        assertThat(stdout().lines().skip(1).toList()).isEmpty();
        out.reset();
        assertThat(hybrid("trials", "nan1", "--work-dir", work.toString())).isZero();
        assertThat(stdout()).doesNotContain("Infinity").doesNotContain("NaN");
    }

    @Test
    void exportWritesNoNonFiniteNumberAndTheFailedTrialsHaveNoValue() throws Exception {
        Path json = dir.resolve("export.json");
        assertThat(hybrid("export", "nan1", "--work-dir", work.toString(), "--format", "json", "-o",
                json.toString())).isZero();
        String text = Files.readString(json);
        assertThat(text).doesNotContain("NaN").doesNotContain("Infinity");
        var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        assertThat(rows).hasSize(6);
        for (var row : rows) {
            boolean failed = row.get("status").asText().equals("FAILED");
            assertThat(row.get("value").isNull()).as("value of %s", row).isEqualTo(failed);
        }
        var object = rows.get(5).get("value");
        assertThat(object.get("default").asDouble()).isEqualTo(0.75);
        assertThat(object.get("loss").isNull()).isTrue();
        assertThat(hybrid("export", "nan1", "--work-dir", work.toString(), "--format", "csv")).isZero();
        assertThat(stdout()).doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void importSkipsNonFiniteValuesAndSaysSo() throws Exception {
        Path data = dir.resolve("import.json");
        Files.writeString(data, "[{\"parameter\": {\"x\": 0.5}, \"value\": NaN},"
                + " {\"parameter\": {\"x\": 0.2}, \"value\": \"-Infinity\"},"
                + " {\"parameter\": {\"x\": 0.3}, \"value\": \"{\\\"default\\\": Infinity}\"},"
                + " {\"parameter\": {\"x\": 0.1}, \"value\": 0.3}]");
        assertThat(hybrid("import", "nan1", data.toString(), "--work-dir", work.toString()))
                .as("%s", err).isZero();
        assertThat(stdout()).contains("import.json[0]").contains("import.json[1]").contains("import.json[2]")
                .contains("not a finite number").contains("Imported 1 results");
        try (var store = SqliteExperimentStore.readOnly(work.resolve("nan1"))) {
            store.open();
            assertThat(store.imported()).singleElement().satisfies(r -> assertThat(r.value()).isEqualTo("0.3"));
        }
    }
}
