package dev.hybrid.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One CSV row of the benchmark protocol: a run's metrics at one budget.
 *
 * @param problem the problem's name
 * @param sampler the tuner configuration's label, e.g. {@code hybrid-tpe}
 * @param budget the checkpoint (number of reported results)
 * @param seed the run's seed
 * @param bestValue the best value among the first {@code budget} reports
 * @param regret {@code bestValue − f*}
 * @param auc the mean over {@code t = 1..budget} of the best-so-far regret
 * @param aucLog10 the mean of {@code log10(max(regret_t, 1e-8))}
 * @param tunerSeconds wall seconds inside the tuner up to the {@code budget}-th report
 * @param pending the number of pending configurations the run kept
 */
public record BenchRow(String problem, String sampler, int budget, long seed, double bestValue, double regret,
        double auc, double aucLog10, double tunerSeconds, int pending) {

    /** The protocol's header line. */
    public static final String HEADER = "problem,sampler,budget,seed,best_value,regret,auc,auc_log10,tuner_s,pending";

    /** The protocol's checkpoints. */
    public static final List<Integer> CHECKPOINTS = List.of(25, 50, 100, 200);

    public BenchRow {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(sampler, "sampler");
    }

    /**
     * The rows of one run: one per checkpoint of 25, 50, 100, 200 not above the number of reports, plus the number
     * of reports itself when it is not one of them (so a run of budget 30 gives rows for 25 and 30).
     */
    public static List<BenchRow> of(String problem, String sampler, long seed, int pending, double fStar, Trace trace) {
        List<Integer> budgets = new ArrayList<>();
        for (int b : CHECKPOINTS) {
            if (b <= trace.size()) {
                budgets.add(b);
            }
        }
        if (trace.size() > 0 && !budgets.contains(trace.size())) {
            budgets.add(trace.size());
        }
        List<BenchRow> rows = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        double regretSum = 0;
        double logSum = 0;
        int next = 0;
        for (int t = 0; t < trace.size() && next < budgets.size(); t++) {
            double v = trace.value(t);
            if (v < best) {
                best = v;
            }
            double r = best - fStar;
            regretSum += r;
            logSum += Math.log10(Math.max(r, 1e-8));
            int b = t + 1;
            if (b == budgets.get(next)) {
                rows.add(new BenchRow(problem, sampler, b, seed, best, r, regretSum / b, logSum / b,
                        trace.tunerNanos(t) / 1e9, pending));
                next++;
            }
        }
        return rows;
    }

    /** This row as a CSV line (no line break), numbers in Java's plain or E notation. */
    public String csvLine() {
        return String.join(",", problem, sampler, Integer.toString(budget), Long.toString(seed),
                Double.toString(bestValue), Double.toString(regret), Double.toString(auc), Double.toString(aucLog10),
                Double.toString(Math.round(tunerSeconds * 1e6) / 1e6), Integer.toString(pending));
    }
}
