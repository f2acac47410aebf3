package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.Verdict;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code Medianstop} assessor: stops a trial whose best result so far is worse than the median of the running
 * averages that successfully completed trials had reached at the same step (the median stopping rule of Golovin et
 * al., "Google Vizier", 2017).
 *
 * <p>The rule, exactly as NNI's {@code MedianstopAssessor}: a trial with fewer than {@code startStep} results is
 * {@link Verdict#GOOD}. Otherwise, with {@code step} the number of results, the trial's best value so far (the
 * largest when maximizing, the smallest when minimizing) is compared with the median of the running averages, at
 * {@code step}, of every trial that ended {@link TrialStatus#SUCCEEDED} with at least {@code step} results. When
 * maximizing, the median is the lower one ({@code sorted[(n-1)/2]}) and the trial is {@link Verdict#BAD} if its best
 * is below it; when minimizing it is the upper one ({@code sorted[n/2]}) and the trial is {@code BAD} if its best is
 * above it. With no such completed trial the verdict is {@code GOOD}.
 *
 * <p>The assessor remembers the results it is shown for each running trial, and turns them into running averages when
 * the trial ends successfully; trials that end otherwise (failed, cancelled, early stopped) are forgotten. Ends of
 * trials it has never assessed are ignored. Non-finite values are accepted: NaN results are skipped when taking the
 * best so far (a trial with only NaN results is {@code GOOD}), and a completed trial whose running average at the step
 * is NaN (a NaN result, or both infinities, before it) is left out of the median. Unlike NNI, an empty result list is
 * {@code GOOD} rather than an error.
 *
 * <p>Called only from the experiment thread; not thread-safe. Memory grows with the number of results of completed
 * trials.
 */
public final class MedianstopAssessor implements Assessor {
    private static final Logger log = LoggerFactory.getLogger(MedianstopAssessor.class);

    private final OptimizeMode mode;
    private final int startStep;
    /** Results seen so far of trials that have not ended, in step order. */
    private final Map<TrialId, List<Double>> running = new HashMap<>();
    /** Running averages of successfully completed trials: element {@code i} is the mean of results {@code 0..i}. */
    private final Map<TrialId, double[]> completedAverages = new HashMap<>();

    /**
     * An assessor for {@code mode} that judges trials from their {@code startStep}-th result on.
     *
     * @throws IllegalArgumentException if {@code startStep} is negative
     */
    public MedianstopAssessor(OptimizeMode mode, int startStep) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (startStep < 0) {
            throw new IllegalArgumentException("startStep must be >= 0, was " + startStep);
        }
        this.startStep = startStep;
    }

    /** An assessor with NNI's defaults: maximize, judging from the first result on. */
    public MedianstopAssessor() {
        this(OptimizeMode.MAXIMIZE, 0);
    }

    /** The optimization direction. */
    public OptimizeMode mode() {
        return mode;
    }

    /** The number of results a trial must have before it can be judged {@link Verdict#BAD}. */
    public int startStep() {
        return startStep;
    }

    @Override
    public Verdict assess(TrialId trial, List<Double> intermediateResults) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(intermediateResults, "intermediateResults");
        int step = intermediateResults.size();
        if (step < startStep) {
            return Verdict.GOOD;
        }
        remember(trial, intermediateResults);
        if (step == 0) {
            return Verdict.GOOD;
        }
        double best = bestSoFar(intermediateResults);
        if (Double.isNaN(best)) {
            return Verdict.GOOD;
        }
        double[] averages = new double[completedAverages.size()];
        int n = 0;
        for (double[] history : completedAverages.values()) {
            if (history.length >= step && !Double.isNaN(history[step - 1])) {
                averages[n++] = history[step - 1];
            }
        }
        if (n == 0) {
            return Verdict.GOOD;
        }
        Arrays.sort(averages, 0, n);
        boolean bad;
        double median;
        if (mode == OptimizeMode.MAXIMIZE) {
            median = averages[(n - 1) / 2];
            bad = best < median;
        } else {
            median = averages[n / 2];
            bad = best > median;
        }
        if (bad) {
            log.debug("Trial {} at step {}: best {} is worse than the median {} of {} completed trials", trial, step,
                    best, median, n);
            return Verdict.BAD;
        }
        return Verdict.GOOD;
    }

    /** Appends the results not seen before, as NNI does; the caller's list may be reused and grown. */
    private void remember(TrialId trial, List<Double> results) {
        List<Double> seen = running.computeIfAbsent(trial, t -> new ArrayList<>());
        for (int i = seen.size(); i < results.size(); i++) {
            seen.add(Objects.requireNonNull(results.get(i), "intermediateResults element"));
        }
    }

    private double bestSoFar(List<Double> results) {
        double best = Double.NaN;
        for (Double v : results) {
            double x = v;
            if (mode.isBetter(x, best)) {
                best = x;
            }
        }
        return best;
    }

    @Override
    public void onTrialEnd(TrialId trial, TrialStatus status) {
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(status, "status");
        List<Double> results = running.remove(trial);
        if (results == null) {
            return;
        }
        if (status == TrialStatus.SUCCEEDED) {
            double[] averages = new double[results.size()];
            double sum = 0;
            for (int i = 0; i < averages.length; i++) {
                sum += results.get(i);
                averages[i] = sum / (i + 1);
            }
            completedAverages.put(trial, averages);
        }
    }
}
