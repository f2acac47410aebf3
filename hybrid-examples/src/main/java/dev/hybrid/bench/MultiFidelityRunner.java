package dev.hybrid.bench;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.builtin.PbtTuner;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a tuner or advisor over a {@link MultiFidelityProblem} until it has spent a total budget, with the
 * benchmark's pending queue (ask until {@code pending} trials wait, report the oldest). Each trial costs its budget, a
 * promoted configuration again in full (NNI's advisors restart it), unless the problem {@linkplain
 * MultiFidelityProblem#continues() continues} training and the advisor passes checkpoint folders
 * ({@code all_checkpoint_dir}): then the runner acts as a trial that saves its model to {@code save_checkpoint_dir}
 * and resumes from {@code load_checkpoint_dir}, and a trial whose load folder holds a checkpoint of budget {@code b0}
 * costs only {@code b − b0}. The value is the same either way (the problems are deterministic). What counts is the
 * best value at the full budget against the total spent: a row per checkpoint at a tenth, a quarter, half and all of
 * the total, each in units of full-budget evaluations ({@code R}), with {@code best_value} the best full-budget value
 * among the trials reported by then (its regret the problem's {@link MultiFidelityProblem#noResultRegret()} while
 * there is none), {@code auc} and {@code auc_log10} the means of the regret (of its log10) at every whole unit up to
 * the checkpoint.
 */
public final class MultiFidelityRunner {
    private static final String LOAD = PbtTuner.LOAD_CHECKPOINT_DIR;
    private static final String SAVE = PbtTuner.SAVE_CHECKPOINT_DIR;

    private MultiFidelityRunner() {
    }

    /** {@code cost}: what the trial trains, its budget less that of the checkpoint it resumes from. */
    private record Asked(TrialId id, Parameters parameters, double budget, double cost) {
    }

    /**
     * Runs one seed.
     *
     * @param units the total budget in full-budget evaluations, at least 4
     * @throws BenchException if the tuner says {@code Later} with nothing pending, or {@code Done} before the end
     */
    public static List<BenchRow> run(MultiFidelityProblem problem, Tuner tuner, int units, int pending, String label,
            long seed) {
        if (units < 4 || pending < 1) {
            throw new IllegalArgumentException("units >= 4 and pending >= 1 must hold, were " + units + ", " + pending);
        }
        double r = problem.maxBudget();
        double cap = units * r;
        tuner.updateSearchSpace(problem.space());
        Deque<Asked> queue = new ArrayDeque<>();
        // the checkpoints trials have saved: folder -> the budget trained into it
        Map<Object, Double> checkpoints = new HashMap<>();
        double askedSpent = 0;
        double spent = 0;
        long inTuner = 0;
        // per whole unit k (1..units): the best full-budget value reported by k·R spent, and tuner time by then
        double[] bestAt = new double[units + 1];
        long[] nanosAt = new long[units + 1];
        java.util.Arrays.fill(bestAt, Double.NaN);
        double best = Double.NaN;
        int unit = 1;
        int n = 0;
        while (spent < cap) {
            while (queue.size() < pending && askedSpent < cap) {
                TrialId id = TrialId.of("trial-" + n++);
                long t0 = System.nanoTime();
                Suggestion s = tuner.suggest(id);
                inTuner += System.nanoTime() - t0;
                if (s instanceof Suggestion.Next next) {
                    double b = problem.budget(next.parameters());
                    Double resumed = problem.continues() ? checkpoints.get(next.parameters().values().get(LOAD)) : null;
                    double cost = resumed != null && resumed <= b ? b - resumed : b;
                    queue.add(new Asked(id, next.parameters(), b, cost));
                    askedSpent += cost;
                } else if (s instanceof Suggestion.Done) {
                    throw new BenchException("the tuner ended before the budget was spent");
                } else if (queue.isEmpty()) {
                    throw new BenchException("the tuner answered Later with no trial pending");
                } else {
                    break;
                }
            }
            Asked a = queue.poll();
            if (a == null) {
                break;
            }
            double v = problem.value(a.parameters());
            // checkpoints passed before this trial's cost is added see the best so far
            while (unit <= units && spent + a.cost() > unit * r) {
                bestAt[unit] = best;
                nanosAt[unit] = inTuner;
                unit++;
            }
            spent += a.cost();
            Object saveTo = a.parameters().values().get(SAVE);
            if (saveTo != null) {
                checkpoints.put(saveTo, a.budget());
            }
            long t0 = System.nanoTime();
            tuner.onResult(a.id(), a.parameters(), v);
            tuner.onTrialEnd(a.id(), TrialStatus.SUCCEEDED);
            inTuner += System.nanoTime() - t0;
            if (a.budget() >= r && !(v >= best)) {
                best = v;
            }
        }
        while (unit <= units) {
            bestAt[unit] = best;
            nanosAt[unit] = inTuner;
            unit++;
        }
        List<BenchRow> rows = new ArrayList<>();
        for (int c : checkpoints(units)) {
            double regretSum = 0;
            double logSum = 0;
            for (int k = 1; k <= c; k++) {
                double reg = regret(problem, bestAt[k]);
                regretSum += reg;
                logSum += Math.log10(Math.max(reg, 1e-8));
            }
            double b = bestAt[c];
            rows.add(new BenchRow(problem.name(), label, c, seed, Double.isNaN(b) ? 0.0 : b,
                    regret(problem, b), regretSum / c, logSum / c, nanosAt[c] / 1e9, pending));
        }
        return rows;
    }

    /** A tenth, a quarter, half and all of {@code units}. */
    public static List<Integer> checkpoints(int units) {
        return List.of(units / 10 == 0 ? 1 : units / 10, units / 4, units / 2, units);
    }

    private static double regret(MultiFidelityProblem problem, double best) {
        return Double.isNaN(best) ? problem.noResultRegret() : best - problem.fStar();
    }
}
