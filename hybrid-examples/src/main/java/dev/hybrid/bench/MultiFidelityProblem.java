package dev.hybrid.bench;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import java.nio.file.Path;
import java.util.List;

/**
 * A benchmark problem whose configurations can be evaluated at a budget {@code b}, {@code 1 ≤ b ≤ R}, for
 * {@code hybrid bench --multi-fidelity}: {@link LcHartmann6} (a learning curve, training continues) and
 * {@link ProcessMultiFidelityProblem#svmDigitsSubset} (an SVC on a share of the data, computed by a Python evaluator,
 * every budget trained anew). Smaller values are better; what counts is the best value at the full budget.
 */
public interface MultiFidelityProblem extends AutoCloseable {
    /** The names {@link #named} knows. */
    List<String> NAMES = List.of(LcHartmann6.NAME, ProcessMultiFidelityProblem.SVM_DIGITS_SUBSET);

    /** The problem's name in CSV files. */
    String name();

    /** The full budget {@code R}. */
    int maxBudget();

    /** The best value at the full budget (best known where the optimum is not). */
    double fStar();

    /** The regret counted while no full-budget result exists. */
    double noResultRegret();

    /**
     * Whether a trial can continue from a checkpoint: then one that resumes a checkpoint of budget {@code b0} costs
     * {@code b − b0}; otherwise every trial costs its whole budget.
     */
    boolean continues();

    /** The search space; the budget is not part of it. */
    SearchSpace space();

    /** The value of the trial's parameters at its {@link #budget}. */
    double value(Parameters p);

    /** The budget a trial runs with: its {@code TRIAL_BUDGET} clipped to {@code [1, R]}, or {@code R} without one. */
    default double budget(Parameters p) {
        Object b = p.values().get("TRIAL_BUDGET");
        double budget = b instanceof Number n ? n.doubleValue() : maxBudget();
        return Math.max(1, Math.min(maxBudget(), budget));
    }

    /** Stops whatever computes the values; a problem computed in this process has nothing to stop. */
    @Override
    default void close() {
    }

    /**
     * The problem of that name.
     *
     * @param svmEvaluator the {@code svm_digits_subset.py} to run for {@code svm_digits_subset}
     * @param python the Python that runs it (it needs scikit-learn)
     * @throws BenchException for a name not in {@link #NAMES}, or an evaluator that cannot start
     */
    static MultiFidelityProblem named(String name, Path svmEvaluator, String python) {
        if (name.equals(LcHartmann6.NAME)) {
            return new LcHartmann6();
        }
        if (name.equals(ProcessMultiFidelityProblem.SVM_DIGITS_SUBSET)) {
            return ProcessMultiFidelityProblem.svmDigitsSubset(svmEvaluator, python);
        }
        throw new BenchException("no multi-fidelity problem '" + name + "'; known: " + String.join(", ", NAMES));
    }
}
