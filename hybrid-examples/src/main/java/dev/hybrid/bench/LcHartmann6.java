package dev.hybrid.bench;

import dev.hybrid.bench.objectives.Hartmann6;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;

/**
 * {@code lc_hartmann6}, a multi-fidelity benchmark problem: Hartmann's 6-D function seen through a learning curve.
 * A configuration {@code x1..x6 ~ uniform[0, 1]} trained for {@code b} epochs ({@code 1 ≤ b ≤ R = 81}) scores
 * <pre>
 * y(x, b) = h6(x) · (1 − exp(−k(x) · b)) / (1 − exp(−k(x) · R)),   k(x) = 0.05 + 0.45 · x5
 * </pre>
 * (smaller is better; {@code h6 < 0}, so a curve falls from near 0 towards {@code h6(x)}). At the full budget
 * {@code y = h6(x)}, so the optimum is Hartmann's, {@code f* = −3.32237}. Each configuration learns at its own rate
 * {@code k}: after one epoch a slow learner ({@code x5 = 0}) shows 6% of its final value and a fast one
 * ({@code x5 = 1}) 39%, after 9 epochs 37% and 98%. Cheap evaluations are informative but favour fast learners, while
 * the optimum has {@code x5 ≈ 0.31}. A trial's budget is its {@code TRIAL_BUDGET} parameter, rounded to no
 * value outside {@code [1, R]}; a trial without one runs the full budget. Training continues: a trial that resumes
 * a checkpoint of {@code b0} epochs costs only {@code b − b0}.
 */
public final class LcHartmann6 implements MultiFidelityProblem {
    /** The problem's name in CSV files. */
    public static final String NAME = "lc_hartmann6";
    /** The full budget {@code R}, in epochs. */
    public static final int MAX_BUDGET = 81;
    /** The optimum at the full budget: Hartmann6's. */
    public static final double F_STAR = -3.322368011415515;
    /** The regret reported before any full-budget result exists: {@code h6}'s supremum, 0, minus {@code f*}. */
    public static final double NO_RESULT_REGRET = -F_STAR;

    private static final SearchSpace SPACE = SearchSpace.parse("""
            {"x1": {"_type": "uniform", "_value": [0.0, 1.0]}, "x2": {"_type": "uniform", "_value": [0.0, 1.0]},
             "x3": {"_type": "uniform", "_value": [0.0, 1.0]}, "x4": {"_type": "uniform", "_value": [0.0, 1.0]},
             "x5": {"_type": "uniform", "_value": [0.0, 1.0]}, "x6": {"_type": "uniform", "_value": [0.0, 1.0]}}""");

    private final Hartmann6 h6 = new Hartmann6();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int maxBudget() {
        return MAX_BUDGET;
    }

    @Override
    public double fStar() {
        return F_STAR;
    }

    @Override
    public double noResultRegret() {
        return NO_RESULT_REGRET;
    }

    @Override
    public boolean continues() {
        return true;
    }

    /** The search space (six uniforms on [0, 1]); the budget is not part of it. */
    @Override
    public SearchSpace space() {
        return SPACE;
    }

    /** {@code y(x, b)} for the trial's parameters at its {@link #budget}. */
    @Override
    public double value(Parameters p) {
        return value(p, budget(p));
    }

    /** {@code y(x, b)}. */
    public double value(Parameters p, double budget) {
        double k = 0.05 + 0.45 * p.getDouble("x5");
        return h6.evaluate(p) * (-Math.expm1(-k * budget)) / (-Math.expm1(-k * MAX_BUDGET));
    }
}
