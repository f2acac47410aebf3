package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiFidelityBenchTest {
    private final LcHartmann6 problem = new LcHartmann6();

    private static Parameters x(double... v) {
        return new Parameters(Map.of("x1", v[0], "x2", v[1], "x3", v[2], "x4", v[3], "x5", v[4], "x6", v[5]));
    }

    /** The same points as {@code bench-results/optuna_multi_fidelity.py}'s check points. */
    @Test
    void theObjectiveReproducesThePythonScriptsCheckPoints() {
        Parameters best = x(0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573);
        assertThat(problem.value(best, 81)).isCloseTo(-3.322368011391339, within(1e-12));
        assertThat(problem.value(best, 1)).isCloseTo(-0.5755742059440662, within(1e-12));
        assertThat(problem.value(x(0.5, 0.5, 0.5, 0.5, 0.5, 0.5), 9)).isCloseTo(-0.4627861710767806, within(1e-12));
        assertThat(problem.value(x(0.1, 0.9, 0.3, 0.7, 1.0, 0.0), 27)).isCloseTo(-0.5014856373016737,
                within(1e-12));
    }

    @Test
    void aTrialRunsWithItsBudgetOrTheFullOne() {
        Parameters p = x(0.5, 0.5, 0.5, 0.5, 0.5, 0.5);
        assertThat(problem.budget(p)).isEqualTo(81);
        Map<String, Object> v = new java.util.HashMap<>(p.values());
        v.put("TRIAL_BUDGET", 9);
        assertThat(problem.value(new Parameters(v))).isEqualTo(problem.value(p, 9));
    }

    @Test
    void aRunGivesTheBestFullBudgetValueAtEachCheckpoint() {
        TunerFactory hyperband = new TunerFactory("Hyperband", Map.of("R", 81, "eta", 3));
        List<BenchRow> rows = MultiFidelityRunner.run(problem, hyperband.create(1), 20, 1, "hb", 1);
        assertThat(rows).extracting(BenchRow::budget).containsExactly(2, 5, 10, 20);
        // Hyperband's first bracket (81 at 1 epoch, 27 at 3, 9 at 9, 3 at 27) spends 4 full budgets before its
        // first full-budget trial
        assertThat(rows.get(0).regret()).isEqualTo(LcHartmann6.NO_RESULT_REGRET);
        assertThat(rows.get(3).regret()).isLessThan(LcHartmann6.NO_RESULT_REGRET).isGreaterThanOrEqualTo(0);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).regret()).isLessThanOrEqualTo(rows.get(i - 1).regret());
        }
        TunerFactory bohb = new TunerFactory("BOHB", Map.of("min_budget", 1, "max_budget", 81));
        List<BenchRow> pending = MultiFidelityRunner.run(problem, bohb.create(1), 20, 4, "bohb", 1);
        assertThat(pending.get(3).regret()).isLessThan(LcHartmann6.NO_RESULT_REGRET);
        assertThat(pending).allMatch(r -> r.pending() == 4);
    }

    /**
     * With checkpoint folders a promoted configuration pays only its extra epochs: Hyperband proposes the same trials
     * (its draws do not depend on costs), so each checkpoint's best is at least as good, and its first bracket (81·1 +
     * 27·2 + 9·6 + 3·18 + 1·54 = 297 epochs instead of 405) has a full-budget result within 4 full budgets.
     */
    @Test
    void withCheckpointFoldersPromotionsPayOnlyTheirExtraEpochs() {
        TunerFactory restart = new TunerFactory("Hyperband", Map.of("R", 81, "eta", 3));
        TunerFactory resume = new TunerFactory("Hyperband", Map.of("R", 81, "eta", 3, "all_checkpoint_dir",
                java.nio.file.Path.of("ck").toAbsolutePath().toString()));
        List<BenchRow> restarted = MultiFidelityRunner.run(problem, restart.create(2), 40, 1, "hb", 2);
        List<BenchRow> resumed = MultiFidelityRunner.run(problem, resume.create(2), 40, 1, "hb-ck", 2);
        assertThat(resumed).extracting(BenchRow::budget).containsExactly(4, 10, 20, 40);
        assertThat(restarted.get(0).regret()).isEqualTo(LcHartmann6.NO_RESULT_REGRET);
        assertThat(resumed.get(0).regret()).isLessThan(LcHartmann6.NO_RESULT_REGRET);
        for (int i = 0; i < resumed.size(); i++) {
            assertThat(resumed.get(i).regret()).isLessThanOrEqualTo(restarted.get(i).regret());
        }
    }
    /**
     * A problem computed by an evaluator process receives each trial's budget, and retrains: with checkpoint folders
     * as without, every trial costs its whole budget, so the budgets evaluated add up to the total (within the last
     * trial's).
     */
    @Test
    void aProcessProblemSeesEveryBudgetAndPaysItInFull(@TempDir Path dir) throws IOException {
        assumeTrue(ProcessObjectiveTest.hasPython(), "python3 is not on the PATH");
        Path log = dir.resolve("budgets.log");
        Path script = Files.writeString(dir.resolve("evaluate.py"), """
                import json, sys
                log = open(sys.argv[1], "a")
                for line in sys.stdin:
                    p = json.loads(line)
                    b = min(9.0, max(1.0, float(p.get("TRIAL_BUDGET", 9))))
                    log.write("%r\\n" % b); log.flush()
                    print(json.dumps({"value": (p["x"] - 0.3) ** 2 + 1 / b}), flush=True)
                """);
        SearchSpace space = SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Objective evaluator = ProcessObjective.start(List.of("python3", script.toString(), log.toString()), script);
        TunerFactory hyperband = new TunerFactory("Hyperband", Map.of("R", 9, "eta", 3, "all_checkpoint_dir",
                dir.resolve("ck").toString()));
        List<BenchRow> rows;
        try (MultiFidelityProblem problem = new ProcessMultiFidelityProblem("toy", space, 9, 1 / 9.0, 10, evaluator)) {
            rows = MultiFidelityRunner.run(problem, hyperband.create(3), 12, 1, "hb", 3);
        }
        assertThat(rows).extracting(BenchRow::problem).containsOnly("toy");
        assertThat(rows.get(3).regret()).isBetween(0.0, 0.1);
        List<Double> budgets = Files.readAllLines(log).stream().map(Double::parseDouble).toList();
        assertThat(budgets).contains(1.0, 3.0, 9.0);
        double total = budgets.stream().mapToDouble(Double::doubleValue).sum();
        assertThat(total).isGreaterThanOrEqualTo(12 * 9).isLessThan(13 * 9);
    }
}
