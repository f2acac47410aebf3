package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.Parameters;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An NNI v1 config with {@code advisor: {builtinAdvisorName: Hyperband}} run end to end by {@code hybrid run}: real
 * Python trials on the local platform read their {@code TRIAL_BUDGET} through the bundled {@code nni} module.
 */
class AdvisorRunTest {
    @TempDir
    Path dir;

    private static final String TRIAL = String.join("\n",
            "import nni",
            "params = nni.get_next_parameter()",
            "budget = params['TRIAL_BUDGET']",
            "if not isinstance(budget, int):",
            "    raise SystemExit('TRIAL_BUDGET should be an int, was %r' % (budget,))",
            "for epoch in range(1, budget + 1):",
            "    nni.report_intermediate_result(params['x'] * epoch / budget)",
            "nni.report_final_result(params['x'] - 1.0 / budget)",
            "");

    private static boolean hasPython() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "pass").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void hyperbandRunsItsFirstBracketOfCommandTrialsOnTheLocalPlatform() throws Exception {
        assumeTrue(hasPython(), "python3 is needed for this test");
        Files.writeString(dir.resolve("trial.py"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "authorName: test",
                "experimentName: hyperband",
                "trialConcurrency: 1",
                "maxTrialNum: 13",
                "maxExecDuration: 10m",
                "trainingServicePlatform: local",
                "searchSpacePath: search_space.json",
                "useAnnotation: false",
                "advisor:",
                "  builtinAdvisorName: Hyperband",
                "  classArgs:",
                "    R: 9",
                "    eta: 3",
                "trial:",
                "  command: python3 trial.py",
                "  codeDir: .",
                "  gpuNum: 0",
                ""));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new CommandLine(new RunCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(config.toString(), "--id", "hb1",
                "--work-dir", dir.resolve("work").toString());
        assertThat(code).as(out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8)).isZero();

        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(dir.resolve("work/hb1"))) {
            store.open();
            assertThat(store.experiment().orElseThrow().status()).isEqualTo(ExperimentStatus.DONE);
            List<Trial> trials = store.trials().stream().map(StoredTrial::trial)
                    .sorted(Comparator.comparingInt(Trial::sequence)).toList();
            assertThat(trials).hasSize(13).allMatch(t -> t.status() == TrialStatus.SUCCEEDED);
            assertThat(trials).extracting(t -> t.parameters().values().get("TRIAL_BUDGET"))
                    .containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9);
            // each trial's final result used its budget, so the budget reached the Python trial
            for (Trial t : trials) {
                double x = t.parameters().getDouble("x");
                int budget = ((Number) t.parameters().values().get("TRIAL_BUDGET")).intValue();
                assertThat(t.finalValue().orElseThrow()).isCloseTo(x - 1.0 / budget,
                        org.assertj.core.api.Assertions.within(1e-9));
            }
            // the best three of the nine at budget 1 ran again at 3, the best of those at 9
            List<Parameters> rung0 = trials.subList(0, 9).stream().sorted(Comparator.comparingDouble(
                    (Trial t) -> t.finalValue().orElseThrow()).reversed()).map(t -> config(t.parameters())).toList();
            assertThat(trials.subList(9, 12)).extracting(t -> config(t.parameters()))
                    .containsExactlyInAnyOrderElementsOf(rung0.subList(0, 3));
            assertThat(config(trials.get(12).parameters())).isEqualTo(rung0.get(0));
        }
    }

    private static Parameters config(Parameters p) {
        Map<String, Object> v = new LinkedHashMap<>(p.values());
        v.remove("TRIAL_BUDGET");
        return new Parameters(v);
    }
}
