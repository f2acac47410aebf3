package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.store.ImportedResult;
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

/** {@code hybrid import}: NNI data and Hybrid exports, duplicates, bad files and parameters outside the space. */
class ImportCommandTest {
    @TempDir
    static Path dir;
    static Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Reports x as its final result; the trial with sequence 1 fails first. */
    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "case \"$NNI_TRIAL_SEQ_ID\" in 1) exit 3 ;; esac",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "");

    @BeforeAll
    static void runTwoExperiments() throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]},"
                + " \"units\": {\"_type\": \"choice\", \"_value\": [16, \"32\", \"wide\"]}}");
        work = dir.resolve("work");
        for (String id : List.of("source", "target")) {
            Path config = dir.resolve(id + ".yml");
            Files.writeString(config, String.join("\n", "searchSpaceFile: search_space.json",
                    "trialCommand: sh trial.sh", "trialConcurrency: 2", "maxTrialNumber: 4", "tuner:",
                    "  name: Random", "  classArgs: {seed: " + (id.equals("source") ? 1 : 2) + "}", "trainingService:",
                    "  platform: local", ""));
            int code = HybridCommand.commandLine().execute("run", config.toString(), "--id", id, "--work-dir",
                    work.toString(), "--progress-interval", "0.5");
            assertThat(code).isZero();
        }
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

    private static List<ImportedResult> imported(String id) {
        try (var store = SqliteExperimentStore.readOnly(work.resolve(id))) {
            store.open();
            return store.imported();
        }
    }

    private static long succeeded(String id) {
        try (var store = SqliteExperimentStore.readOnly(work.resolve(id))) {
            store.open();
            return store.trials().stream().filter(t -> t.trial().status() == TrialStatus.SUCCEEDED).count();
        }
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anExportWithFailedTrialsImportsBackOnceWhetherJsonOrCsv() throws Exception {
        Path json = dir.resolve("source.json");
        Path csv = dir.resolve("source.csv");
        assertThat(hybrid("export", "source", "--work-dir", work.toString(), "--format", "json", "-o",
                json.toString())).isZero();
        assertThat(hybrid("export", "source", "--work-dir", work.toString(), "--format", "csv", "-o",
                csv.toString())).isZero();
        assertThat(Files.readString(json)).contains("FAILED");
        int before = imported("target").size();
        long good = succeeded("source");
        assertThat(good).isEqualTo(3);

        assertThat(hybrid("import", "target", json.toString(), "--work-dir", work.toString())).isZero();
        assertThat(imported("target")).hasSize(before + 3);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Imported 3 results")
                .contains("skipped 1 without a finite value");
        out.reset();
        assertThat(hybrid("import", "target", json.toString(), "--work-dir", work.toString())).isZero();
        assertThat(hybrid("import", "target", csv.toString(), "--work-dir", work.toString())).isZero();
        assertThat(imported("target")).hasSize(before + 3);
        assertThat(out.toString(StandardCharsets.UTF_8).lines().toList()).hasSize(2)
                .allMatch(l -> l.contains("Imported 0 results") && l.contains("skipped 3 already in the experiment"));
        // The CSV cells come back as the values the trials had: the choice "32" stays a string, 16 a number.
        assertThat(imported("target").subList(before, before + 3)).allSatisfy(r -> {
            Object units = r.parameters().values().get("units");
            assertThat(units).isIn(16, "32", "wide");
        });
        assertThat(stderr()).isEmpty();
    }

    @Test
    void aMissingFileIsOneLineAndWritesNothing() {
        int before = imported("target").size();
        assertThat(hybrid("import", "target", dir.resolve("nope.json").toString(), "--work-dir",
                work.toString())).isEqualTo(1);
        assertThat(stderr().lines().toList()).containsExactly("hybrid: cannot import " + dir.resolve("nope.json")
                + ": no such file");
        assertThat(imported("target")).hasSize(before);
    }

    @Test
    void anAdvisorsTrialBudgetIsKeptBesideTheSpacesParameters() throws Exception {
        int before = imported("target").size();
        Path bad = dir.resolve("bad-budget.json");
        Files.writeString(bad, "[{\"parameter\": {\"x\": 0.25, \"units\": 16, \"TRIAL_BUDGET\": \"all\"},"
                + " \"value\": 0.25}]");
        assertThat(hybrid("import", "target", bad.toString(), "--work-dir", work.toString())).isEqualTo(1);
        assertThat(stderr()).contains("bad-budget.json[0].parameter.TRIAL_BUDGET: an advisor's budget must be a "
                + "positive number, was all");
        Path data = dir.resolve("budgets.json");
        Files.writeString(data, "[{\"parameter\": {\"x\": 0.125, \"units\": 16, \"TRIAL_BUDGET\": 3},"
                + " \"value\": 0.125}, {\"parameter\": {\"x\": 0.125, \"units\": 16, \"TRIAL_BUDGET\": 9},"
                + " \"value\": 0.5}]");
        assertThat(hybrid("import", "target", data.toString(), "--work-dir", work.toString())).isZero();
        List<ImportedResult> now = imported("target");
        assertThat(now).hasSize(before + 2);
        assertThat(now.subList(before, before + 2)).extracting(r -> r.parameters().values().get("TRIAL_BUDGET"))
                .containsExactly(3, 9);
    }

    @Test
    void parametersOutsideTheSearchSpaceAreReportedWithTheirValueAndNothingIsImported() throws Exception {
        int before = imported("target").size();
        Path data = dir.resolve("outside.json");
        Files.writeString(data, "[{\"parameter\": {\"x\": 0.5, \"units\": 16}, \"value\": 0.5},"
                + " {\"parameter\": {\"x\": 1.5, \"units\": 64}, \"value\": 0.4},"
                + " {\"parameter\": {\"units\": \"wide\", \"depth\": 3}, \"value\": 0.3}]");
        assertThat(hybrid("import", "target", data.toString(), "--work-dir", work.toString())).isEqualTo(1);
        assertThat(stderr()).contains("4 parameters lie outside the search space")
                .contains("outside.json[1].parameter.x: uniform needs a value in [0.0, 1.0], was 1.5")
                .contains("outside.json[1].parameter.units: is not one of the choice's options [16, 32, wide], "
                        + "was 64")
                .contains("outside.json[2].parameter.depth: is not a parameter of the search space")
                .contains("outside.json[2].parameter.x: is missing")
                .doesNotContain("outside.json[0]").doesNotContain("\tat ");
        assertThat(imported("target")).hasSize(before);
    }
}
