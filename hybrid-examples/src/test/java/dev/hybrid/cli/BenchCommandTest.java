package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = HybridCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    private static Path braninSuite(Path dir) throws IOException {
        Path problem = Files.createDirectories(dir.resolve("suite").resolve("branin"));
        Files.writeString(problem.resolve("search_space.json"), """
                {"x1": {"_type": "uniform", "_value": [-5, 10]}, "x2": {"_type": "uniform", "_value": [0, 15]}}""");
        Files.writeString(problem.resolve("optimum.json"), "{\"f_star\": 0.39788735772973816}");
        return problem.getParent();
    }

    @Test
    void benchWritesOneRowPerSeedAndCheckpoint(@TempDir Path dir) throws IOException {
        Path suite = braninSuite(dir);
        Path out = dir.resolve("out").resolve("tpe.csv");
        int code = run("bench", "--suite", suite.toString(), "--tuner", "TPE", "--seeds", "2", "--budget", "30",
                "--pending", "4", "--class-args", "{\"tpe_args\": {\"n_startup_jobs\": 5}}", "--out", out.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines.get(0)).isEqualTo("problem,sampler,budget,seed,best_value,regret,auc,auc_log10,tuner_s,pending");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).startsWith("branin,hybrid-tpe,25,0,");
        assertThat(lines.get(4)).startsWith("branin,hybrid-tpe,30,1,").endsWith(",4");
    }

    @Test
    void problemWithoutABuiltinObjectiveUsesItsEvaluator(@TempDir Path dir) throws Exception {
        Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0, "python3 is not on the PATH");
        Path problem = Files.createDirectories(dir.resolve("suite").resolve("square"));
        Files.writeString(problem.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [-1, 1]}}");
        Files.writeString(problem.resolve("optimum.json"), "{\"f_star\": 0}");
        Files.writeString(problem.resolve("evaluate.py"), """
                import json, sys
                for line in sys.stdin:
                    print(json.dumps({"value": json.loads(line)["x"] ** 2}), flush=True)
                """);
        Path out = dir.resolve("square.csv");
        int code = run("bench", "--suite", problem.getParent().toString(), "--seeds", "1", "--budget", "12",
                "--out", out.toString());
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(2);
    }

    @Test
    void unknownTunerIsAUsageError(@TempDir Path dir) throws IOException {
        int code = run("bench", "--suite", braninSuite(dir).toString(), "--tuner", "Tpe", "--out",
                dir.resolve("x.csv").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown tuner 'Tpe'").contains("TPE");
    }

    @Test
    void badClassArgsAreAUsageErrorWithTheirPath(@TempDir Path dir) throws IOException {
        int code = run("bench", "--suite", braninSuite(dir).toString(), "--class-args",
                "{\"tpe_args\": {\"gamma\": 5}}", "--seeds", "1", "--budget", "5", "--out", dir.resolve("x.csv").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tuner.classArgs.tpe_args.gamma");
    }

    /** A stand-in for svm_digits_subset.py (no scikit-learn here): the value falls with the budget and with C. */
    static final String SVM_SUBSET_STAND_IN = """
            import json, math, sys
            for line in sys.stdin:
                p = json.loads(line)
                b = min(27.0, max(1.0, float(p.get("TRIAL_BUDGET", 27))))
                v = 0.1 + abs(math.log10(p["C"]) - 1) / 10 + {"rbf": 0, "poly": 0.1, "sigmoid": 0.3}[p["kernel"]]
                print(json.dumps({"value": v * (1 + 1 / b)}), flush=True)
            """;

    @Test
    void multiFidelityRunsTheNamedProblemThroughItsEvaluator(@TempDir Path dir) throws Exception {
        Process probe = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
        assumeTrue(probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0, "python3 is not on the PATH");
        Path script = Files.writeString(dir.resolve("svm_digits_subset.py"), SVM_SUBSET_STAND_IN);
        Path out = dir.resolve("hb.csv");
        int code = run("bench", "--multi-fidelity", "--problems", "svm_digits_subset", "--evaluator",
                script.toString(), "--tuner", "Hyperband", "--class-args", "{\"R\": 27, \"eta\": 3}", "--seeds", "2",
                "--budget", "8", "--out", out.toString());
        assertThat(code).as(err.toString()).isZero();
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(9);
        assertThat(lines.subList(1, 9)).allMatch(l -> l.startsWith("svm_digits_subset,hybrid-hyperband,"));
        assertThat(err.toString()).contains("svm_digits_subset");
    }

    @Test
    void multiFidelityRefusesAProblemItDoesNotKnow(@TempDir Path dir) {
        int code = run("bench", "--multi-fidelity", "--problems", "svm_digits", "--out", dir.resolve("x.csv").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("lc_hartmann6, svm_digits_subset").contains("'svm_digits'");
        code = run("bench", "--multi-fidelity", "--problems", "svm_digits_subset", "--evaluator",
                dir.resolve("missing.py").toString(), "--out", dir.resolve("x.csv").toString());
        assertThat(code).isNotZero();
        assertThat(err.toString()).contains("missing.py");
    }

    @Test
    void missingOptionsAreAUsageError() {
        assertThat(run("bench", "--seeds", "2")).isEqualTo(2);
        assertThat(run("bench", "--no-such-option")).isEqualTo(2);
    }
}
