package dev.hybrid.tuner.builtin;

import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import dev.hybrid.tuner.builtin.SpaceModel.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Tree-structured Parzen Estimator tuner, registered as NNI's {@code TPE}.
 *
 * <h2>Algorithm</h2>
 * The space is flattened into dimensions (see {@code SpaceModel}): a {@code choice} is a categorical index; every
 * other type is a continuous coordinate in an internal space (log space for the log types, {@code [lower − ½,
 * upper − ½]} for {@code randint}), and quantisation, {@code exp} and clipping are applied only to the value handed
 * to the trial, exactly as NNI defines each type. Each (sub-)space is a node; a node below a nested choice is active
 * only in trials whose parent choice took that branch, to any depth.
 * <ol>
 *   <li><b>Start-up.</b> Until {@code n_startup_jobs} (default 10) trials have results, parameters are drawn from the
 *       priors (uniform in the internal space, the spec's normal for the normal types, uniform categories).</li>
 *   <li><b>Split.</b> Otherwise every observation, i.e. every trial with a result plus, when a constant liar is
 *       configured, every pending trial with the lie as its loss, is ranked by loss (ties by age). For the root
 *       node the best {@code min(ceil(gamma · n), linear_forgetting)} observations form the "below" set (gamma
 *       defaults to 0.1, so the set grows linearly with the history up to 25, unlike NNI's
 *       {@code gamma · sqrt(n)}), the rest the "above" set. A node below a nested choice splits only the
 *       observations in which it is active the same way, so a branch is tuned towards its own best trials even
 *       while another branch holds the best results.</li>
 *   <li><b>Densities.</b> For each active node, a Parzen mixture {@code l} is fitted to its below observations and
 *       {@code g} to its above ones. With {@code multivariate} (the default) one product kernel per observation spans
 *       all the node's plain parameters, so that good values are proposed together; otherwise each parameter gets
 *       its own mixture. Each mixture has a prior component (the range's centre with the range as sigma) of weight
 *       {@code prior_weight} (default 2); observation weights are 1, except that in a set of
 *       {@code n ≥ linear_forgetting} observations the oldest {@code n − linear_forgetting} ramp linearly from
 *       {@code 1/n} up to 1. Numeric kernels are normals truncated to the range, each twice as wide as the larger
 *       gap to its sorted neighbours in that dimension, clipped to {@code [range / min(100, m + 1), range]};
 *       categorical kernels keep {@code 1 / (1 + prior_weight)} of their mass on the observed category and spread
 *       the rest evenly.</li>
 *   <li><b>Choice.</b> {@code n_ei_candidates} (default 24) points are drawn from {@code l}; the one maximising
 *       {@code log l(x) − log g(x)} (first on ties) is taken. A nested choice is instead drawn straight from its
 *       {@code l}: a branch's label says little about the branch until its own parameters have been tuned, and an
 *       argmax over a few categories would never revisit a branch that started badly. Then the chosen branches'
 *       nodes are handled the same way.</li>
 *   <li><b>No repeats.</b> A proposal equal to an earlier one (possible only when every active parameter is
 *       discrete) is drawn again, and after a few tries drawn from the priors.</li>
 * </ol>
 * Losses are the values in {@code minimize} mode and their negation in {@code maximize} mode; NaN and the worst
 * infinity count as the worst loss. Pending trials are ignored by default ({@code constant_liar_type: none}): on the
 * benchmark with 4 and 16 pending trials that was as good as or better than Optuna's "worst" liar, and the no-repeat
 * rule keeps parallel workers from receiving the same discrete configuration. {@code worst}, {@code mean} and NNI's
 * {@code best} liars are available. Per suggestion the work is O(n · candidates · dimensions) over primitive arrays.
 *
 * <p>Called only from the experiment thread; not thread-safe. A fixed seed and the same results give the same
 * sequence of suggestions. Results for unknown trial ids are ignored; a result arriving after the trial's
 * {@link #onTrialEnd} is still credited, and a trial that ends without a result is forgotten.
 */
public final class TpeTuner extends PointTuner {
    private static final Logger log = LoggerFactory.getLogger(TpeTuner.class);


    /** How a pending trial (suggested, no result yet) is counted when the next trial is suggested. */
    public enum ConstantLiar {
        /** Pending trials are ignored. */
        NONE,
        /** Pending trials count as the best loss seen so far (NNI's default, which crowds parallel workers). */
        BEST,
        /** Pending trials count as worse than every result (Optuna's constant liar). */
        WORST,
        /** Pending trials count as the mean of the finite losses seen so far. */
        MEAN
    }

    /**
     * The tuner's settings, as read from NNI's {@code classArgs} by {@link TpeTunerProvider}.
     *
     * @param mode whether larger or smaller values are better
     * @param liar how pending trials are counted
     * @param startupTrials how many results to collect with random suggestions first
     * @param candidates how many candidates are drawn from the "below" density per suggestion
     * @param linearForgetting the cap on the "below" set and the number of newest observations kept at full weight
     * @param priorWeight the weight of the prior component of each density, greater than 0
     * @param gamma the fraction of observations in the "below" set, in (0, 1]
     * @param multivariate whether each node's parameters are modelled jointly (else one density per parameter)
     */
    public record Settings(OptimizeMode mode, ConstantLiar liar, int startupTrials, int candidates,
            int linearForgetting, double priorWeight, double gamma, boolean multivariate) {
        public Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(liar, "liar");
            if (startupTrials < 0 || candidates < 1 || linearForgetting < 1) {
                throw new IllegalArgumentException("startupTrials >= 0, candidates >= 1 and linearForgetting >= 1"
                        + " must hold, were " + startupTrials + ", " + candidates + ", " + linearForgetting);
            }
            if (!(priorWeight > 0) || Double.isInfinite(priorWeight)) {
                throw new IllegalArgumentException("priorWeight must be > 0, was " + priorWeight);
            }
            if (!(gamma > 0 && gamma <= 1)) {
                throw new IllegalArgumentException("gamma must be in (0, 1], was " + gamma);
            }
        }

        /** The defaults: minimise, no liar, 10 start-up trials, 24 candidates, 25, prior weight 2, 0.1, multivariate. */
        public static Settings defaults() {
            return new Settings(OptimizeMode.MINIMIZE, ConstantLiar.NONE, 10, 24, 25, 2.0, 0.1, true);
        }
    }

    private final Settings settings;
    private final RandomGenerator random;
    private long stamp;

    /** A tuner with these settings drawing from {@code random} (seed it for a reproducible sequence). */
    public TpeTuner(Settings settings, RandomGenerator random) {
        super("TPE", Objects.requireNonNull(settings, "settings").mode());
        this.settings = settings;
        this.random = Objects.requireNonNull(random, "random");
    }

    /** The settings this tuner runs with. */
    public Settings settings() {
        return settings;
    }

    /**
     * Proposes parameters for a new trial: always {@link Suggestion.Next}.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     * @throws IllegalArgumentException if parameters were already proposed for {@code trial}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        checkSuggest(trial);
        if (history.get(trial) != null) {
            throw new IllegalArgumentException("parameters were already proposed for trial " + trial);
        }
        boolean startup = history.ranked().size() < settings.startupTrials();
        Proposal proposal = startup ? null : new Proposal();
        // In a space of discrete parameters the proposal may repeat an earlier trial (an argmax over categories is
        // deterministic, and parallel workers would all get the same one): draw again, then fall back to the prior.
        TrialHistory.Draw d = history.draw(model, !startup, () -> {
            double[] x = model.emptyPoint();
            proposal.fill(model.root(), x);
            return x;
        }, random);
        history.propose(trial, d.point(), d.parameters());
        log.debug("TPE proposes {} for trial {}", d.parameters(), trial);
        return new Suggestion.Next(d.parameters());
    }

    /** One model-based suggestion: the ranking of the observations and the per-node density fits. */
    private final class Proposal {
        /** Observations by loss (pending ones at the lie's place), ties by age. */
        private final TrialHistory.Entry[] byLoss;
        /** The same observations by age. */
        private final TrialHistory.Entry[] byAge;

        Proposal() {
            ConstantLiar liar = settings.liar();
            List<TrialHistory.Entry> pending = new ArrayList<>();
            List<TrialHistory.Entry> observed = new ArrayList<>();
            for (TrialHistory.Entry r : history.entries()) {
                if (r.hasResult) {
                    observed.add(r);
                } else if (liar != ConstantLiar.NONE && r.isPending()) {
                    pending.add(r);
                    observed.add(r);
                }
            }
            byAge = observed.toArray(new TrialHistory.Entry[0]);
            byLoss = new TrialHistory.Entry[byAge.length];
            double lie = lie(liar);
            int insertAt = 0;
            List<TrialHistory.Entry> ranked = history.ranked();
            while (insertAt < ranked.size() && ranked.get(insertAt).loss <= lie) {
                insertAt++;
            }
            for (int i = 0; i < byLoss.length; i++) {
                byLoss[i] = i < insertAt ? ranked.get(i)
                        : i < insertAt + pending.size() ? pending.get(i - insertAt)
                        : ranked.get(i - pending.size());
            }
        }

        /**
         * Splits the observations in which {@code node} is active into below (index 0) and above (index 1), each by
         * age. The root ranks all observations; a node below a nested choice ranks only the observations in which it
         * is active, so that a branch is tuned towards its own best trials even while they are not the best overall.
         */
        private double[][][] split(Node node) {
            stamp++;
            boolean local = node.parentDim >= 0;
            int n = 0;
            for (TrialHistory.Entry r : byAge) {
                if (!local || node.isActiveIn(r.point)) {
                    n++;
                }
            }
            int nBelow = (int) Math.min(Math.ceil(settings.gamma() * n), settings.linearForgetting());
            int k = 0;
            for (int i = 0; i < byLoss.length && k < nBelow; i++) {
                TrialHistory.Entry r = byLoss[i];
                if (!local || node.isActiveIn(r.point)) {
                    r.mark = stamp;
                    k++;
                }
            }
            int b = 0;
            int a = 0;
            for (TrialHistory.Entry r : byAge) {
                if (node.isActiveIn(r.point)) {
                    if (r.mark == stamp) {
                        b++;
                    } else {
                        a++;
                    }
                }
            }
            double[][] below = new double[b][];
            double[][] above = new double[a][];
            b = 0;
            a = 0;
            for (TrialHistory.Entry r : byAge) {
                if (node.isActiveIn(r.point)) {
                    if (r.mark == stamp) {
                        below[b++] = r.point;
                    } else {
                        above[a++] = r.point;
                    }
                }
            }
            return new double[][][] {below, above};
        }

        private double lie(ConstantLiar liar) {
            if (liar == ConstantLiar.WORST || liar == ConstantLiar.NONE) {
                return Double.POSITIVE_INFINITY;
            }
            double min = Double.POSITIVE_INFINITY;
            double sum = 0;
            int finite = 0;
            for (TrialHistory.Entry r : history.ranked()) {
                if (Double.isFinite(r.loss)) {
                    min = Math.min(min, r.loss);
                    sum += r.loss;
                    finite++;
                }
            }
            if (finite == 0) {
                return 0.0;
            }
            return liar == ConstantLiar.BEST ? min : sum / finite;
        }

        void fill(Node node, double[] x) {
            if (node.dims.length > 0) {
                double[][][] split = split(node);
                double[][] l = split[0];
                double[][] g = split[1];
                List<Dim> plain = new ArrayList<>();
                for (int id : node.dims) {
                    Dim d = model.dim(id);
                    if (d.isStructural()) {
                        choose(new Dim[] {d}, l, g, x, 1);
                    } else {
                        plain.add(d);
                    }
                }
                if (settings.multivariate() && !plain.isEmpty()) {
                    choose(plain.toArray(new Dim[0]), l, g, x, settings.candidates());
                } else {
                    for (Dim d : plain) {
                        choose(new Dim[] {d}, l, g, x, settings.candidates());
                    }
                }
            }
            for (int id : node.dims) {
                Dim d = model.dim(id);
                if (d.categorical) {
                    Node child = d.branches[(int) x[id]];
                    if (child != null) {
                        fill(child, x);
                    }
                }
            }
        }

        private Dim[] dims(int[] ids) {
            Dim[] out = new Dim[ids.length];
            for (int i = 0; i < ids.length; i++) {
                out[i] = model.dim(ids[i]);
            }
            return out;
        }

        private void choose(Dim[] group, double[][] l, double[][] g, double[] x, int nc) {
            ParzenEstimator good = new ParzenEstimator(group, l, l.length, weights(l.length), settings.priorWeight());
            if (nc == 1) {
                double[] one = new double[group.length];
                good.sample(random, one);
                for (int j = 0; j < group.length; j++) {
                    x[group[j].index] = one[j];
                }
                return;
            }
            ParzenEstimator bad = new ParzenEstimator(group, g, g.length, weights(g.length), settings.priorWeight());
            double[][] cand = new double[nc][group.length];
            for (int c = 0; c < nc; c++) {
                good.sample(random, cand[c]);
            }
            double[] lg = new double[nc];
            double[] lb = new double[nc];
            double[] scratch = new double[Math.max(good.components(), bad.components())];
            good.logDensity(cand, nc, lg, scratch);
            bad.logDensity(cand, nc, lb, scratch);
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < nc; c++) {
                double s = lg[c] - lb[c];
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            for (int j = 0; j < group.length; j++) {
                x[group[j].index] = cand[best][j];
            }
        }

        private double[] weights(int n) {
            double[] w = new double[n];
            int flat = settings.linearForgetting();
            if (n < flat) {
                java.util.Arrays.fill(w, 1.0);
                return w;
            }
            int ramp = n - flat;
            for (int i = 0; i < ramp; i++) {
                w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1.0 - 1.0 / n) * i / (ramp - 1);
            }
            java.util.Arrays.fill(w, ramp, n, 1.0);
            return w;
        }
    }
}
