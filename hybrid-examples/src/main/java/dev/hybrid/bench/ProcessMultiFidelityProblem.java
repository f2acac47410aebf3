package dev.hybrid.bench;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A multi-fidelity problem whose values a line-protocol evaluator computes ({@link ProcessObjective}): each trial's
 * parameters, {@code TRIAL_BUDGET} included, go to it as one JSON line, and it answers the value at that budget.
 * Nothing is resumed: every trial costs its whole budget.
 */
public final class ProcessMultiFidelityProblem implements MultiFidelityProblem {
    /** The name of {@link #svmDigitsSubset}. */
    public static final String SVM_DIGITS_SUBSET = "svm_digits_subset";
    /** Where {@code svm_digits_subset.py} lies in a checkout, relative to its root. */
    public static final Path SVM_EVALUATOR = Path.of("hybrid-examples", "bench-results", "svm_digits_subset.py");

    private static final SearchSpace SVM_SPACE = SearchSpace.parse("""
            {"kernel": {"_type": "choice", "_value": ["rbf", "poly", "sigmoid"]},
             "C": {"_type": "loguniform", "_value": [0.001, 1000.0]},
             "gamma": {"_type": "loguniform", "_value": [1e-05, 10.0]}}""");

    private final String name;
    private final SearchSpace space;
    private final int maxBudget;
    private final double fStar;
    private final double noResultRegret;
    private final Objective evaluator;

    /**
     * @param evaluator computes a trial's value at its {@code TRIAL_BUDGET} (the full budget without one); closed
     *     with this problem
     */
    public ProcessMultiFidelityProblem(String name, SearchSpace space, int maxBudget, double fStar,
            double noResultRegret, Objective evaluator) {
        if (maxBudget < 1) {
            throw new IllegalArgumentException("maxBudget must be >= 1, was " + maxBudget);
        }
        this.name = name;
        this.space = space;
        this.maxBudget = maxBudget;
        this.fStar = fStar;
        this.noResultRegret = noResultRegret;
        this.evaluator = evaluator;
    }

    /**
     * {@code svm_digits_subset}: the suite's {@code svm_digits} (3-fold CV error of an SVC on scikit-learn's digits,
     * same space, same {@code f*}) trained on {@code b/27} of each fold's training data ({@code R = 27}); the
     * evaluator's docstring defines it exactly. At the full budget its value is {@code svm_digits}'. Regret before
     * any full-budget result: {@code 1 − f*}.
     *
     * @param script the evaluator, {@code svm_digits_subset.py}
     * @param python a Python with scikit-learn (Debian's {@code /usr/bin/python3} with {@code python3-sklearn})
     * @throws BenchException if the script is missing or cannot be started
     */
    public static ProcessMultiFidelityProblem svmDigitsSubset(Path script, String python) {
        if (!Files.isRegularFile(script)) {
            throw new BenchException("the evaluator of " + SVM_DIGITS_SUBSET + " is not at " + script.toAbsolutePath()
                    + "; run from the checkout's root or name it with --evaluator");
        }
        double fStar = 0.023372287145242088;
        ProcessObjective evaluator = ProcessObjective.start(List.of(python, script.toAbsolutePath().toString()),
                script);
        return new ProcessMultiFidelityProblem(SVM_DIGITS_SUBSET, SVM_SPACE, 27, fStar, 1 - fStar, evaluator);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int maxBudget() {
        return maxBudget;
    }

    @Override
    public double fStar() {
        return fStar;
    }

    @Override
    public double noResultRegret() {
        return noResultRegret;
    }

    @Override
    public boolean continues() {
        return false;
    }

    @Override
    public SearchSpace space() {
        return space;
    }

    @Override
    public double value(Parameters p) {
        return evaluator.evaluate(p);
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
