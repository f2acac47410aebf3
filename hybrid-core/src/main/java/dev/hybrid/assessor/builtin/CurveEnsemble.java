package dev.hybrid.assessor.builtin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Extrapolates a learning curve with a weighted ensemble of {@link CurveFamily} fits; the method is described on
 * {@link CurvefittingAssessor}.
 */
final class CurveEnsemble {
    /** Longer histories are thinned to this many evenly spaced points (first and last kept) before fitting. */
    static final int MAX_POINTS = 100;
    /** Accepted members needed for a prediction; with fewer, the curve's future is too uncertain to judge. */
    static final int MIN_MEMBERS = 2;
    /** How far a member may move past its value at the last observed step, in data ranges per unit of log-time. */
    static final double REACH = 1.5;
    /** The largest weighted spread of the members' predictions, in data ranges, that still makes a prediction. */
    static final double MAX_SPREAD = 0.5;
    /** Floor of a member's residual variance, relative to the squared data range: exact fits tie instead of winning. */
    private static final double VARIANCE_FLOOR = 1e-12;

    private CurveEnsemble() {
    }

    /** One accepted member: its fit (in standardised units), its prediction at the target step and its weight. */
    record Member(CurveFit fit, double prediction, double weight) {
    }

    /**
     * The ensemble's prediction of the value at step {@code target} (1-based) of a curve whose {@code i}-th value
     * (0-based) was observed at step {@code i + 1}. Non-finite values are left out. When the value at {@code target}
     * has already been observed and is finite, it is returned as is; when all finite values are equal, that value.
     *
     * @return the prediction, or empty when fewer than three finite values are known, fewer than
     *     {@link #MIN_MEMBERS} families give a sane extrapolation, or their predictions disagree by more than
     *     {@link #MAX_SPREAD} of the data's range
     * @throws IllegalArgumentException if {@code target < 1}
     */
    static OptionalDouble predict(List<Double> values, int target) {
        requireTarget(target);
        if (target <= values.size()) {
            double observed = values.get(target - 1);
            if (Double.isFinite(observed)) {
                return OptionalDouble.of(observed);
            }
        }
        double[][] points = finitePoints(values);
        if (points[0].length < 3) {
            return OptionalDouble.empty();
        }
        double[] y = points[1];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        if (lo == hi) {
            return OptionalDouble.of(lo);
        }
        List<Member> members = fit(points[0], y, target);
        if (members.size() < MIN_MEMBERS) {
            return OptionalDouble.empty();
        }
        double mean = 0;
        for (Member m : members) {
            mean += m.weight() * m.prediction();
        }
        double variance = 0;
        for (Member m : members) {
            variance += m.weight() * (m.prediction() - mean) * (m.prediction() - mean);
        }
        if (Math.sqrt(variance) > MAX_SPREAD * (hi - lo)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(mean);
    }

    /**
     * The accepted members with their weights (summing to 1), for the same inputs as {@link #predict}; empty when
     * fewer than three finite values are known or they are all equal.
     */
    static List<Member> members(List<Double> values, int target) {
        requireTarget(target);
        double[][] points = finitePoints(values);
        return points[0].length < 3 ? List.of() : fit(points[0], points[1], target);
    }

    private static void requireTarget(int target) {
        if (target < 1) {
            throw new IllegalArgumentException("target must be >= 1, was " + target);
        }
    }

    private static List<Member> fit(double[] x, double[] y, int target) {
        int n = x.length;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double v : y) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            sum += v;
        }
        double range = hi - lo;
        double mean = sum / n;
        if (!(range > 0) || !Double.isFinite(range) || !Double.isFinite(mean)) {
            return List.of();
        }
        // Fit in standardised units so that the size of the metric does not matter.
        double[] z = new double[n];
        for (int i = 0; i < n; i++) {
            z[i] = (y[i] - mean) / range;
        }
        double span = x[n - 1];
        double reach = REACH * (1 + Math.log(Math.max(1.0, target / span)));
        List<CurveFit> fits = new ArrayList<>();
        List<Double> predictions = new ArrayList<>();
        List<Double> criteria = new ArrayList<>();
        for (CurveFamily family : CurveFamily.values()) {
            int k = family.parameters();
            if (n < k + 2) {
                continue;
            }
            Optional<CurveFit> fit = family.fit(x, z, span);
            if (fit.isEmpty()) {
                continue;
            }
            CurveFit f = fit.get();
            double prediction = f.valueAt(target);
            double last = f.valueAt(span);
            if (!Double.isFinite(prediction) || !(Math.abs(prediction - last) <= reach)) {
                continue;
            }
            double variance = Math.max(f.rss() / n, VARIANCE_FLOOR);
            fits.add(f);
            predictions.add(mean + prediction * range);
            // AICc: on the short histories an assessor sees, plain AIC or BIC let four-parameter families win by
            // fitting the noise; the small-sample correction keeps them for when the data can pin them down.
            criteria.add(n * Math.log(variance) + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1));
        }
        double best = Double.POSITIVE_INFINITY;
        for (double c : criteria) {
            best = Math.min(best, c);
        }
        double[] weights = new double[fits.size()];
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.exp(-(criteria.get(i) - best) / 2);
            total += weights[i];
        }
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(new Member(fits.get(i), predictions.get(i), weights[i] / total));
        }
        return List.copyOf(out);
    }

    /** The finite values as {@code {steps, values}}, thinned to {@link #MAX_POINTS}. */
    private static double[][] finitePoints(List<Double> values) {
        int count = 0;
        for (Double v : values) {
            if (Double.isFinite(v)) {
                count++;
            }
        }
        double[] x = new double[count];
        double[] y = new double[count];
        int j = 0;
        for (int i = 0; i < values.size(); i++) {
            double v = values.get(i);
            if (Double.isFinite(v)) {
                x[j] = i + 1;
                y[j] = v;
                j++;
            }
        }
        if (count <= MAX_POINTS) {
            return new double[][] {x, y};
        }
        double[] tx = new double[MAX_POINTS];
        double[] ty = new double[MAX_POINTS];
        for (int i = 0; i < MAX_POINTS; i++) {
            int src = (int) Math.round((double) i * (count - 1) / (MAX_POINTS - 1));
            tx[i] = x[src];
            ty[i] = y[src];
        }
        return new double[][] {tx, ty};
    }
}
