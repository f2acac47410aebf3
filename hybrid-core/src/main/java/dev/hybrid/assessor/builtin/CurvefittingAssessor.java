package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.Verdict;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code Curvefitting} assessor: extrapolates a running trial's learning curve to step {@code epochNum} and
 * stops the trial when the prediction falls short of the best final result of the trials completed so far.
 *
 * <h2>The rule</h2>
 * As NNI's {@code CurvefittingAssessor}: while no trial has ended {@link TrialStatus#SUCCEEDED}, every verdict is
 * {@link Verdict#GOOD}. A trial with fewer than {@code startStep} results is {@code GOOD}. From then on it is judged at
 * its first assessment and again whenever at least {@code gap} results have arrived since its last judgement
 * ({@code GOOD} in between). A judgement predicts the value at step {@code epochNum}; when no prediction can be made it
 * is {@code GOOD}. Otherwise, with {@code best} the best final result of the successfully completed trials (the last
 * intermediate result each reported), the trial stays {@code GOOD} only if the prediction is better than the bar
 * {@code best - (1 - threshold)·|best|} when maximizing ({@code threshold × best} for a non-negative {@code best},
 * exactly NNI's bar), or {@code best + (1 - threshold)·|best|} when minimizing, the mirror image; a prediction equal
 * to the bar is {@code BAD}, as in NNI. NNI only maximizes; minimizing is Hybrid's extension. Unlike NNI, which takes
 * the final result from whichever trial it assessed last, each trial's own last result is used; a completed trial
 * whose last result is not finite does not count.
 *
 * <h2>The prediction</h2>
 * A deterministic ensemble in the spirit of Domhan, Springenberg and Hutter, "Speeding up automatic hyperparameter
 * optimization of deep neural networks by extrapolation of learning curves" (IJCAI 2015). It is <em>not</em> their
 * (or NNI's) Markov chain Monte Carlo over the combined model: no sampling is involved, so equal inputs always give
 * equal verdicts.
 * <ol>
 *   <li>The finite results (step {@code i + 1} for result {@code i}; NaN and infinities are left out) are standardised
 *       by their mean and range. Fewer than three ⇒ no prediction. All equal ⇒ that value. Histories longer than
 *       100 points are thinned to 100 evenly spaced points. If step {@code epochNum} has itself been observed, its
 *       value is the prediction.</li>
 *   <li>Seven families are fitted separately by least squares, each written {@code c + k·g(x)}: log-linear
 *       {@code a·log(x) + b}, ilog2 {@code c - a/log(x + 1)}, pow3 {@code c - a·x^(-α)}, exp3
 *       {@code c - exp(-a·x + b)}, pow4 {@code c - (a·x + b)^(-α)}, Janoschek {@code α - (α - β)·exp(-κ·x^δ)} (the
 *       same family as Weibull and exp4) and MMF {@code α - (α - β)/(1 + (κ·x)^δ)}. For given nonlinear parameters
 *       {@code c} and {@code k} are solved in closed form (variable projection); the one or two nonlinear parameters
 *       are searched on a log-spaced grid inside fixed bounds and refined by a bounded Nelder-Mead search. A family
 *       with {@code k} parameters needs at least {@code k + 2} points.</li>
 *   <li>A member is rejected when its prediction at {@code epochNum} is not finite, or lies further from its own
 *       value at the last observed step than {@code 1.5 × range × (1 + ln(epochNum / lastStep))}: a learning curve
 *       does not move by several times its whole observed range in the time it has already run.</li>
 *   <li>The accepted members (at least two are needed, otherwise no prediction) are weighted by {@code exp(-AICc/2)},
 *       with {@code AICc = n·ln(RSS/n) + 2k + 2k(k + 1)/(n - k - 1)} (the small-sample correction keeps the
 *       four-parameter families from winning by fitting noise on short curves) and the residual variance floored at
 *       {@code 1e-12} of the squared range. The prediction is the weighted mean of theirs, unless their weighted
 *       standard deviation exceeds half the observed range: then the members disagree too much to judge (as on the
 *       convex start of an S-shaped curve), and there is no prediction.</li>
 * </ol>
 * A judgement takes well under a millisecond for 20 results and grows linearly with the history up to 100 points.
 *
 * <p>Called only from the experiment thread; not thread-safe. Ends of unknown trials are ignored.
 */
public final class CurvefittingAssessor implements Assessor {
    private static final Logger log = LoggerFactory.getLogger(CurvefittingAssessor.class);

    private final int epochNum;
    private final int startStep;
    private final double threshold;
    private final int gap;
    private final OptimizeMode mode;
    /** The last result seen of each running trial: its final performance if it succeeds. */
    private final Map<TrialId, Double> lastResult = new HashMap<>();
    /** The number of results each running trial had at its last judgement. */
    private final Map<TrialId, Integer> lastJudged = new HashMap<>();
    private double best = Double.NaN;

    /**
     * An assessor predicting step {@code epochNum} (1-based), judging from {@code startStep} results on, every
     * {@code gap} results, against {@code threshold} of the best completed trial.
     *
     * @throws IllegalArgumentException if {@code epochNum < 1}, {@code startStep < 0}, {@code gap < 1} or
     *     {@code threshold} is negative or not finite
     */
    public CurvefittingAssessor(int epochNum, int startStep, double threshold, int gap, OptimizeMode mode) {
        if (epochNum < 1) {
            throw new IllegalArgumentException("epochNum must be >= 1, was " + epochNum);
        }
        if (startStep < 0) {
            throw new IllegalArgumentException("startStep must be >= 0, was " + startStep);
        }
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite and >= 0, was " + threshold);
        }
        if (gap < 1) {
            throw new IllegalArgumentException("gap must be >= 1, was " + gap);
        }
        this.epochNum = epochNum;
        this.startStep = startStep;
        this.threshold = threshold;
        this.gap = gap;
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** An assessor for {@code epochNum} with NNI's other defaults: start step 6, threshold 0.95, gap 1, maximize. */
    public CurvefittingAssessor(int epochNum) {
        this(epochNum, 6, 0.95, 1, OptimizeMode.MAXIMIZE);
    }

    @Override
    public Verdict assess(TrialId trial, List<Double> intermediateResults) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(intermediateResults, "intermediateResults");
        int step = intermediateResults.size();
        if (step > 0) {
            lastResult.put(trial, Objects.requireNonNull(intermediateResults.get(step - 1),
                    "intermediateResults element"));
        }
        if (Double.isNaN(best) || step < startStep) {
            return Verdict.GOOD;
        }
        Integer judged = lastJudged.get(trial);
        if (judged != null && step - judged < gap) {
            return Verdict.GOOD;
        }
        lastJudged.put(trial, step);
        OptionalDouble predicted = CurveEnsemble.predict(intermediateResults, epochNum);
        if (predicted.isEmpty()) {
            log.debug("Trial {} at step {}: no prediction yet", trial, step);
            return Verdict.GOOD;
        }
        double prediction = predicted.getAsDouble();
        double margin = (1 - threshold) * Math.abs(best);
        boolean good = mode == OptimizeMode.MAXIMIZE ? prediction > best - margin : prediction < best + margin;
        log.debug("Trial {} at step {}: predicted {} at step {}, best completed {}: {}", trial, step, prediction,
                epochNum, best, good ? "good" : "bad");
        return good ? Verdict.GOOD : Verdict.BAD;
    }

    @Override
    public void onTrialEnd(TrialId trial, TrialStatus status) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(status, "status");
        lastJudged.remove(trial);
        Double last = lastResult.remove(trial);
        if (status == TrialStatus.SUCCEEDED && last != null && Double.isFinite(last) && mode.isBetter(last, best)) {
            best = last;
        }
    }

    /** The step whose value is predicted. */
    public int epochNum() {
        return epochNum;
    }

    /** The number of results before the first judgement. */
    public int startStep() {
        return startStep;
    }

    /** The fraction of the best completed result a prediction must beat (see the class comment for the sign rule). */
    public double threshold() {
        return threshold;
    }

    /** The number of results between two judgements of a trial. */
    public int gap() {
        return gap;
    }

    /** The optimization direction. */
    public OptimizeMode mode() {
        return mode;
    }
}
