package dev.hybrid.tuner.builtin;

import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code Anneal} tuner (hyperopt's annealing algorithm): samples around good earlier trials in a neighbourhood
 * that shrinks as results accumulate.
 *
 * <h2>Algorithm</h2>
 * The first trial is drawn from the priors. Every later one starts from an earlier trial with a result, picked by
 * rank: rank {@code k} (0 the best) with probability {@code 2^-(k+1)}, i.e. a geometric draw with mean 2 (hyperopt's
 * {@code avg_best_idx}), capped at the worst. Each parameter active in the new point is then drawn near that trial's
 * value with the shrink factor {@code s = 1 / (1 + 0.1 · T)} (hyperopt's {@code shrink_coef}), T being the number of
 * results in which the parameter was active:
 * <ul>
 *   <li>bounded numeric types (in the internal space: log space for the log types, {@code [lower − ½, upper − ½]}
 *       for {@code randint}): uniform in a window of {@code s} times the range, centred on the value and shifted to
 *       stay inside the range; quantisation is applied to the value handed to the trial;</li>
 *   <li>the normal types: a normal around the value with {@code s} times the spec's sigma;</li>
 *   <li>{@code choice}: the same option with probability {@code 1 − s}, else a uniform draw (hyperopt's mixture of
 *       the chosen option and the prior); a branch switched on this way is drawn from the priors.</li>
 * </ul>
 * Two deliberate differences from hyperopt: one earlier trial is the centre for all the parameters of a proposal
 * (hyperopt draws a centre per parameter, mixing the parameters of different trials), and {@code randint} is
 * annealed like a uniform range (hyperopt draws it uniformly every time). A proposal equal to an earlier one
 * (possible only when every parameter is discrete) is drawn again, and after a few tries drawn from the priors.
 *
 * <p>Pending trials take no part: each proposal is an independent draw around a good trial, so parallel workers get
 * different points. Trials that end without a result are forgotten; NaN and the worst infinity rank last.
 * Called only from the experiment thread; not thread-safe. A fixed seed and the same results give the same sequence.
 */
public final class AnnealTuner extends PointTuner {
    private static final Logger log = LoggerFactory.getLogger(AnnealTuner.class);
    private static final double AVG_BEST_INDEX = 2.0;
    private static final double SHRINK_COEF = 0.1;

    /** NNI's {@code constant_liar_type} for {@code parallel_optimize}: the loss a pending trial is ranked with. */
    public enum Liar {
        /** The best loss so far. */
        MIN,
        /** The worst loss so far. */
        MAX,
        /** The mean of the finite losses so far. */
        MEAN
    }

    private final Optional<Liar> liar;
    private final RandomGenerator random;
    /** Per dimension, how many results it was active in. */
    private int[] activeCounts = new int[0];

    /**
     * A tuner that optimises in {@code mode}, drawing from {@code random}. With a {@code liar} (NNI's
     * {@code parallel_optimize}), pending trials are ranked as if their loss were the liar's value and may be picked
     * as centres; without one they take no part.
     */
    public AnnealTuner(OptimizeMode mode, Optional<Liar> liar, RandomGenerator random) {
        super("Anneal", mode);
        this.liar = Objects.requireNonNull(liar, "liar");
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    void spaceChanged() {
        activeCounts = new int[model.size()];
    }

    /** Counts the dimensions the trial's point is active in. */
    @Override
    void firstResult(TrialHistory.Entry e) {
        for (int i = 0; i < e.point.length; i++) {
            if (!Double.isNaN(e.point[i])) {
                activeCounts[i]++;
            }
        }
    }

    /**
     * Proposes a point near a good earlier trial: always {@link Suggestion.Next}.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     * @throws IllegalArgumentException if parameters were already proposed for {@code trial}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        checkSuggest(trial);
        // a trial id proposed before fails in propose, after a draw that is thrown away
        TrialHistory.Draw d = history.draw(model, !history.ranked().isEmpty(),
                () -> model.derive(centre().point, this::near, random), random);
        history.propose(trial, d.point(), d.parameters());
        log.debug("Anneal proposes {} for trial {}", d.parameters(), trial);
        return new Suggestion.Next(d.parameters());
    }

    /** The trial of rank k with probability 2^-(k+1), capped at the worst; pending ones ranked at the lie. */
    private TrialHistory.Entry centre() {
        List<TrialHistory.Entry> ranked = history.ranked();
        List<TrialHistory.Entry> order = ranked;
        if (liar.isPresent()) {
            double lie = lie(liar.get());
            order = new ArrayList<>(ranked);
            int at = 0;
            while (at < ranked.size() && ranked.get(at).loss <= lie) {
                at++;
            }
            for (TrialHistory.Entry e : history.entries()) {
                if (e.isPending()) {
                    order.add(at, e);
                }
            }
        }
        int k = 0;
        while (k < order.size() - 1 && random.nextDouble() >= 1.0 / AVG_BEST_INDEX) {
            k++;
        }
        return order.get(k);
    }

    private double lie(Liar kind) {
        List<TrialHistory.Entry> ranked = history.ranked();
        double sum = 0;
        int n = 0;
        for (TrialHistory.Entry o : ranked) {
            if (Double.isFinite(o.loss)) {
                sum += o.loss;
                n++;
            }
        }
        if (n == 0) {
            return Double.POSITIVE_INFINITY;
        }
        return switch (kind) {
            case MIN -> ranked.get(0).loss;
            case MAX -> ranked.get(ranked.size() - 1).loss;
            case MEAN -> sum / n;
        };
    }

    private double near(Dim d, double v) {
        double shrink = 1.0 / (1.0 + SHRINK_COEF * activeCounts[d.index]);
        if (d.categorical) {
            return random.nextDouble() < shrink ? random.nextInt(d.size) : v;
        }
        if (!d.bounded) {
            return v + shrink * d.priorSigma * random.nextGaussian();
        }
        double half = 0.5 * shrink * (d.high - d.low);
        double mid = Math.max(d.low + half, Math.min(d.high - half, v));
        return mid - half + 2 * half * random.nextDouble();
    }
}
