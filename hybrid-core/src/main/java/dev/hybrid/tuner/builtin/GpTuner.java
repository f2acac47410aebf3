package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import dev.hybrid.tuner.builtin.SpaceModel.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bayesian optimisation with a Gaussian process, registered as NNI's {@code GPTuner}.
 *
 * <h2>Inputs</h2>
 * The space is flattened as for TPE (see {@code SpaceModel}) and every point mapped to features in the unit cube:
 * a bounded numeric parameter by its range (in log space for the log types, {@code [lower − ½, upper − ½]} for
 * {@code randint}, so integers are ordinal), a normal-type parameter by {@code μ ± 3σ}, a {@code choice} one-hot (one
 * feature per option, all 0 while the choice is inactive); an inactive numeric parameter sits at ½. The model is
 * fitted to the parameters the trials actually received, i.e. after quantisation and rounding.
 *
 * <h2>Model</h2>
 * Losses (values in {@code minimize} mode, negated in {@code maximize} mode; NaN and ±∞ count as the worst finite
 * loss) are standardised, and a GP with a constant mean, a Matérn kernel of smoothness {@code nu} (by default 5⁄2, as
 * in NNI; ∞ gives the RBF kernel of BoTorch's default model), one length scale per feature, a signal variance and a
 * noise variance of at least {@code alpha} is fitted by maximum a posteriori (see {@code GaussianProcess}) before
 * every model-based suggestion, from the priors' mode. Above {@value #MAX_MODEL_POINTS} results the model keeps the
 * best half of that number and the most recent others, so that a suggestion's cost stays bounded in long experiments.
 *
 * <h2>Proposals</h2>
 * The first {@code cold_start_num} trials (and every trial until two results have arrived) form a Latin hypercube
 * over the bounded parameters and the choices. Then each pending trial is given the GP's mean as its value (kriging
 * believer, so that parallel workers spread out), and the acquisition function is maximised: {@code ei} as log
 * expected improvement (the same maximiser, computed stably far from the incumbent), {@code poi} as the log
 * probability of improvement, both with margin {@code xi} in the metric's units, or {@code ucb} as
 * {@code −mean + kappa · sd}. {@code selection_num_warm_up} points drawn from the space are scored; the best of them
 * and {@code selection_num_starting_points − 1} more, drawn without replacement with weights
 * {@code exp((a − mean a) / sd a)} of their scores {@code a} (Boltzmann sampling, as BoTorch picks its restarts, so the
 * starts are not all in the best point's basin), are refined by projected L-BFGS over their active numeric features
 * (at most {@value #LOCAL_ITERATIONS} iterations, BoTorch's cap), then each plain {@code choice} is set to its best
 * option. The best refined point that was not proposed before is taken.
 *
 * <p>Called only from the experiment thread; not thread-safe. A fixed seed and the same results give the same
 * sequence. Results for unknown trial ids are ignored; a result after its trial's end is still credited; a trial that
 * ends without one is forgotten.
 */
public final class GpTuner extends PointTuner {
    private static final Logger log = LoggerFactory.getLogger(GpTuner.class);
    static final int MAX_MODEL_POINTS = 300;
    /** BoTorch's {@code optimize_acqf} default cap; 60 left the acquisition's optimum unreached in 10-D. */
    private static final int LOCAL_ITERATIONS = 200;
    private static final int FIT_ITERATIONS = 60;

    /** NNI's {@code utility}: the acquisition function. */
    public enum Utility {
        /** Expected improvement (maximised as its logarithm). */
        EI,
        /** Upper confidence bound, {@code mean + kappa · sd} in the direction of improvement. */
        UCB,
        /** Probability of improvement (maximised as its logarithm). */
        POI
    }

    /**
     * The tuner's settings, as read from NNI's {@code classArgs} by {@link GpTunerProvider}.
     *
     * @param mode whether larger or smaller values are better
     * @param utility the acquisition function
     * @param kappa the UCB exploration weight, ≥ 0
     * @param xi the EI/POI improvement margin in the metric's units, ≥ 0
     * @param nu the Matérn smoothness: 0.5, 1.5, 2.5 or {@link Double#POSITIVE_INFINITY} (the RBF kernel)
     * @param alpha the smallest noise variance of the standardised outcome, > 0
     * @param coldStart how many trials are drawn from a Latin hypercube before the model is used
     * @param warmUp how many points are scored before the local refinement, ≥ 1
     * @param startingPoints how many of them are refined, ≥ 1
     */
    public record Settings(OptimizeMode mode, Utility utility, double kappa, double xi, double nu, double alpha,
            int coldStart, int warmUp, int startingPoints) {
        public Settings {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(utility, "utility");
            if (!(kappa >= 0) || !(xi >= 0) || Double.isInfinite(kappa) || Double.isInfinite(xi)) {
                throw new IllegalArgumentException("kappa and xi must be finite and >= 0, were " + kappa + ", " + xi);
            }
            if (nu != 0.5 && nu != 1.5 && nu != 2.5 && nu != Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("nu must be 0.5, 1.5, 2.5 or Infinity, was " + nu);
            }
            if (!(alpha > 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("alpha must be > 0, was " + alpha);
            }
            if (coldStart < 0 || warmUp < 1 || startingPoints < 1) {
                throw new IllegalArgumentException("coldStart >= 0, warmUp >= 1 and startingPoints >= 1 must hold,"
                        + " were " + coldStart + ", " + warmUp + ", " + startingPoints);
            }
        }

        /**
         * The defaults: maximise, EI, kappa 5, xi 0, ν = 2.5 (Matérn 5⁄2), alpha 1e-6 and 10 cold-start trials as in
         * NNI, so NNI configurations that leave out {@code nu} get the kernel they expect (ν = ∞, the RBF kernel of
         * BoTorch 0.18's default model, did better on the 10-D Ackley benchmark at 50 trials, median regret 9.8
         * against 12.9 over 40 seeds, and worse on branin and hartmann6 at 100); 2000 warm-up points and 10 starting
         * points (NNI: 100000 and 250, which cost seconds per suggestion here for no gain once the acquisition is
         * refined by gradients).
         */
        public static Settings defaults() {
            return new Settings(OptimizeMode.MAXIMIZE, Utility.EI, 5.0, 0.0, 2.5, 1e-6, 10, 2000, 10);
        }
    }

    private final Settings settings;
    private final RandomGenerator random;
    private final int maxModelPoints;
    /** First feature of each dimension. */
    private int[] offset;
    private int features;
    /** Latin hypercube strata of each bounded or categorical dimension, for the cold start. */
    private int[][] strata;

    /** A tuner with these settings drawing from {@code random} (seed it for a reproducible sequence). */
    public GpTuner(Settings settings, RandomGenerator random) {
        this(settings, random, MAX_MODEL_POINTS);
    }

    /** A tuner whose model keeps at most {@code maxModelPoints} results (half of them the best). */
    GpTuner(Settings settings, RandomGenerator random, int maxModelPoints) {
        super("GP", Objects.requireNonNull(settings, "settings").mode());
        this.settings = settings;
        this.random = Objects.requireNonNull(random, "random");
        if (maxModelPoints < 2) {
            throw new IllegalArgumentException("maxModelPoints must be >= 2, was " + maxModelPoints);
        }
        this.maxModelPoints = maxModelPoints;
    }

    /** The settings this tuner runs with. */
    public Settings settings() {
        return settings;
    }

    /** Lays out the features of the new space and draws its cold-start strata. */
    @Override
    void spaceChanged() {
        offset = new int[model.size()];
        strata = new int[model.size()][];
        int f = 0;
        for (int i = 0; i < model.size(); i++) {
            Dim d = model.dim(i);
            offset[i] = f;
            f += d.categorical ? d.size : 1;
            if ((d.categorical || d.bounded) && settings.coldStart() > 0) {
                strata[i] = permutation(settings.coldStart());
            }
        }
        features = f;
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
        List<TrialHistory.Entry> observed = observed();
        int proposedSoFar = history.entries().size();
        Optional<double[]> proposal = proposedSoFar >= settings.coldStart() && observed.size() >= 2
                ? modelBased(observed) : Optional.empty();
        double[] x = proposal.orElseGet(() -> coldStart(proposedSoFar));
        Parameters p = model.decode(x);
        // the model learns the parameters as the trial receives them (quantised, rounded)
        history.propose(trial, model.encode(p).orElse(x), p);
        log.debug("GP proposes {} for trial {}", p, trial);
        return new Suggestion.Next(p);
    }

    /** Trials with a result, at most {@code maxModelPoints}: the best half and the most recent others. */
    private List<TrialHistory.Entry> observed() {
        List<TrialHistory.Entry> out = new ArrayList<>();
        for (TrialHistory.Entry r : history.entries()) {
            if (r.hasResult) {
                out.add(r);
            }
        }
        if (out.size() <= maxModelPoints) {
            return out;
        }
        // a stable sort of the entries, which are in the order they were proposed: ties by age
        List<TrialHistory.Entry> byLoss = new ArrayList<>(out);
        byLoss.sort(Comparator.comparingDouble((TrialHistory.Entry r) -> r.loss));
        Set<TrialHistory.Entry> kept = new HashSet<>(byLoss.subList(0, maxModelPoints / 2));
        for (int i = out.size() - 1; i >= 0 && kept.size() < maxModelPoints; i--) {
            kept.add(out.get(i));
        }
        out.removeIf(r -> !kept.contains(r));
        return out;
    }

    // ---- cold start ----

    private int[] permutation(int m) {
        int[] p = new int[m];
        for (int i = 0; i < m; i++) {
            p[i] = i;
        }
        for (int i = m - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The k-th cold-start point: a Latin hypercube stratum for k < cold_start_num, else a draw from the priors. */
    private double[] coldStart(int k) {
        double[] x = model.emptyPoint();
        fillCold(model.root(), x, k);
        return x;
    }

    private void fillCold(Node node, double[] x, int k) {
        for (int id : node.dims) {
            Dim d = model.dim(id);
            if (strata[id] != null && k < strata[id].length) {
                int s = strata[id][k];
                x[id] = d.categorical ? s % d.size
                        : d.low + (s + random.nextDouble()) / strata[id].length * (d.high - d.low);
            } else {
                x[id] = SpaceModel.samplePrior(d, random);
            }
            if (d.categorical && d.branches[(int) x[id]] != null) {
                fillCold(d.branches[(int) x[id]], x, k);
            }
        }
    }

    // ---- features ----

    private static double unit(Dim d, double v) {
        return d.bounded ? (v - d.low) / (d.high - d.low) : (v - d.priorMu + 3 * d.priorSigma) / (6 * d.priorSigma);
    }

    private static double fromUnit(Dim d, double u) {
        return d.bounded ? d.low + u * (d.high - d.low) : d.priorMu - 3 * d.priorSigma + 6 * d.priorSigma * u;
    }

    private double[] features(double[] x) {
        double[] z = new double[features];
        for (int i = 0; i < model.size(); i++) {
            Dim d = model.dim(i);
            double v = x[i];
            if (d.categorical) {
                if (!Double.isNaN(v)) {
                    z[offset[i] + (int) v] = 1;
                }
            } else {
                z[offset[i]] = Double.isNaN(v) ? 0.5 : unit(d, v);
            }
        }
        return z;
    }

    // ---- model-based proposal ----

    /** The model's proposal; empty while no result is finite. */
    private Optional<double[]> modelBased(List<TrialHistory.Entry> observed) {
        int n = observed.size();
        double worst = Double.NEGATIVE_INFINITY;
        for (TrialHistory.Entry r : observed) {
            if (Double.isFinite(r.loss)) {
                worst = Math.max(worst, r.loss);
            }
        }
        if (worst == Double.NEGATIVE_INFINITY) {
            return Optional.empty();
        }
        double[] y = new double[n];
        double[][] xs = new double[n][];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            TrialHistory.Entry r = observed.get(i);
            y[i] = Double.isFinite(r.loss) ? r.loss : worst;
            xs[i] = features(r.point);
            sum += y[i];
        }
        double mean = sum / n;
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(var / n);
        if (!(sd > 1e-12)) {
            sd = 1.0;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            y[i] = (y[i] - mean) / sd;
            best = Math.min(best, y[i]);
        }
        GaussianProcess gp = new GaussianProcess(nu(settings.nu()), settings.alpha(), features);
        // One start, at the priors' mode, as BoTorch fits each new model: on the benchmark the optimum nearest the
        // mode served better than the best of several starts (which was often a fit with very short length scales).
        double[][] starts = {gp.priorMode()};
        GaussianProcess.Posterior posterior = gp.fit(xs, y, starts, FIT_ITERATIONS);
        // Kriging believer: every pending trial counts as returning the model's mean.
        List<double[]> pendingX = new ArrayList<>();
        for (TrialHistory.Entry r : history.entries()) {
            if (r.isPending()) {
                pendingX.add(features(r.point));
            }
        }
        if (!pendingX.isEmpty()) {
            double[] all = Arrays.copyOf(y, n + pendingX.size());
            double[] out = new double[2];
            double[] k = new double[n];
            double[] s = new double[n];
            for (int i = 0; i < pendingX.size(); i++) {
                posterior.predict(pendingX.get(i), out, null, null, k, s);
                all[n + i] = out[0];
                best = Math.min(best, out[0]);
            }
            posterior = posterior.with(pendingX.toArray(new double[0][]), all);
        }
        Acquisition acquisition = new Acquisition(posterior, best, settings.xi() / sd);
        return Optional.of(maximise(acquisition));
    }

    private static GaussianProcess.Nu nu(double nu) {
        return nu == 0.5 ? GaussianProcess.Nu.HALF : nu == 1.5 ? GaussianProcess.Nu.THREE_HALVES
                : nu == 2.5 ? GaussianProcess.Nu.FIVE_HALVES : GaussianProcess.Nu.INFINITE;
    }

    /** A candidate point and its acquisition value. */
    private static final class Candidate {
        final double[] point;
        double value;

        Candidate(double[] point, double value) {
            this.point = point;
            this.value = value;
        }
    }

    private double[] maximise(Acquisition acquisition) {
        List<Candidate> pool = new ArrayList<>();
        for (int i = 0; i < settings.warmUp(); i++) {
            double[] x = model.emptyPoint();
            model.samplePrior(model.root(), x, random);
            pool.add(new Candidate(x, acquisition.value(features(x))));
        }
        pool.sort(Comparator.comparingDouble((Candidate c) -> -c.value));
        int starts = Math.min(settings.startingPoints(), pool.size());
        List<Candidate> refined = new ArrayList<>();
        for (Candidate start : startingPoints(pool, starts)) {
            refined.add(refine(acquisition, start));
        }
        refined.sort(Comparator.comparingDouble((Candidate c) -> -c.value));
        for (Candidate c : refined) {
            if (!history.wasProposed(model.decode(c.point))) {
                return c.point;
            }
        }
        for (int i = starts; i < pool.size(); i++) {
            if (!history.wasProposed(model.decode(pool.get(i).point))) {
                return pool.get(i).point;
            }
        }
        // every candidate repeats an earlier trial (a small discrete space): repeat the best one
        return refined.get(0).point;
    }


    /**
     * The best of the {@code pool} (sorted best first) and {@code count − 1} others drawn without replacement with
     * probability proportional to {@code exp(z)}, z the standardised acquisition value.
     */
    private List<Candidate> startingPoints(List<Candidate> pool, int count) {
        List<Candidate> out = new ArrayList<>(count);
        out.add(pool.get(0));
        double mean = 0;
        int finite = 0;
        for (Candidate c : pool) {
            if (Double.isFinite(c.value)) {
                mean += c.value;
                finite++;
            }
        }
        mean = finite > 0 ? mean / finite : 0;
        double var = 0;
        for (Candidate c : pool) {
            if (Double.isFinite(c.value)) {
                var += (c.value - mean) * (c.value - mean);
            }
        }
        double sd = finite > 1 ? Math.sqrt(var / finite) : 0;
        List<Candidate> left = new ArrayList<>(pool.subList(1, pool.size()));
        double[] weight = new double[left.size()];
        for (int j = 0; j < weight.length; j++) {
            double v = left.get(j).value;
            // log-EI can be −∞ far from any improvement: such a point is never drawn while others remain
            weight[j] = !Double.isFinite(v) ? 0 : sd > 0 ? Math.exp(Math.min((v - mean) / sd, 700)) : 1;
        }
        while (out.size() < count && !left.isEmpty()) {
            double total = 0;
            for (int j = 0; j < left.size(); j++) {
                total += weight[j];
            }
            int pick = left.size() - 1;
            if (total > 0) {
                double u = random.nextDouble() * total;
                for (int j = 0; j < left.size(); j++) {
                    u -= weight[j];
                    if (u < 0) {
                        pick = j;
                        break;
                    }
                }
            } else {
                pick = 0;
            }
            out.add(left.remove(pick));
            System.arraycopy(weight, pick + 1, weight, pick, left.size() - pick);
        }
        return out;
    }

    /** L-BFGS over the candidate's active numeric features, then the best option of each plain active choice. */
    private Candidate refine(Acquisition acquisition, Candidate start) {
        double[] x = start.point.clone();
        List<Integer> active = new ArrayList<>();
        for (int i = 0; i < model.size(); i++) {
            if (!model.dim(i).categorical && !Double.isNaN(x[i])) {
                active.add(i);
            }
        }
        double value = start.value;
        if (!active.isEmpty()) {
            int m = active.size();
            double[] u = new double[m];
            double[] lower = new double[m];
            double[] upper = new double[m];
            for (int j = 0; j < m; j++) {
                Dim d = model.dim(active.get(j));
                u[j] = Math.max(0, Math.min(1, unit(d, x[d.index])));
                upper[j] = 1;
            }
            double[] base = features(x);
            double[] grad = new double[features];
            BoxLbfgs.Function f = (v, g) -> {
                for (int j = 0; j < m; j++) {
                    base[offset[active.get(j)]] = v[j];
                }
                double a = acquisition.valueAndGradient(base, grad);
                for (int j = 0; j < m; j++) {
                    g[j] = -grad[offset[active.get(j)]];
                }
                return -a;
            };
            double min = new BoxLbfgs(6, LOCAL_ITERATIONS, 1e-9).minimise(f, u, lower, upper);
            if (-min > value) {
                value = -min;
                for (int j = 0; j < m; j++) {
                    Dim d = model.dim(active.get(j));
                    x[d.index] = fromUnit(d, u[j]);
                }
            }
        }
        for (int i = 0; i < model.size(); i++) {
            Dim d = model.dim(i);
            if (!d.categorical || d.isStructural() || Double.isNaN(x[i])) {
                continue;
            }
            int current = (int) x[i];
            for (int o = 0; o < d.size; o++) {
                if (o == current) {
                    continue;
                }
                x[i] = o;
                double v = acquisition.value(features(x));
                if (v > value) {
                    value = v;
                    current = o;
                }
            }
            x[i] = current;
        }
        return new Candidate(x, value);
    }

    /** The acquisition function on a posterior over standardised losses, to be maximised. */
    private final class Acquisition {
        private final GaussianProcess.Posterior posterior;
        private final double best;
        private final double xi;
        private final double[] out = new double[2];
        private final double[] gradMean;
        private final double[] gradVar;
        private final double[] k;
        private final double[] s;

        Acquisition(GaussianProcess.Posterior posterior, double best, double xi) {
            this.posterior = posterior;
            this.best = best;
            this.xi = xi;
            gradMean = new double[features];
            gradVar = new double[features];
            k = new double[posterior.size()];
            s = new double[posterior.size()];
        }

        double value(double[] z) {
            posterior.predict(z, out, null, null, k, s);
            return utility(out[0], Math.sqrt(out[1]), null);
        }

        double valueAndGradient(double[] z, double[] grad) {
            posterior.predict(z, out, gradMean, gradVar, k, s);
            double sd = Math.sqrt(out[1]);
            double[] d = new double[2];
            double v = utility(out[0], sd, d);
            // d[0] = ∂u/∂mean, d[1] = ∂u/∂sd; ∂sd/∂z = ∂var/∂z / (2 sd)
            double perVar = sd > 0 ? d[1] / (2 * sd) : 0;
            for (int j = 0; j < grad.length; j++) {
                grad[j] = d[0] * gradMean[j] + perVar * gradVar[j];
            }
            return v;
        }

        private double utility(double mean, double sd, double[] d) {
            sd = Math.max(sd, 1e-9);
            switch (settings.utility()) {
                case UCB: {
                    if (d != null) {
                        d[0] = -1;
                        d[1] = settings.kappa();
                    }
                    return -mean + settings.kappa() * sd;
                }
                case POI: {
                    double z = (best - xi - mean) / sd;
                    if (d != null) {
                        double ratio = NormalTail.pdfOverCdf(z);
                        d[0] = -ratio / sd;
                        d[1] = -ratio * z / sd;
                    }
                    return NormalTail.logCdf(z);
                }
                default: {
                    double z = (best - xi - mean) / sd;
                    if (d != null) {
                        // EI = sd·h(z), ∂EI/∂mean = −Φ(z), ∂EI/∂sd = φ(z)
                        d[0] = -NormalTail.cdfOverH(z) / sd;
                        d[1] = NormalTail.pdfOverH(z) / sd;
                    }
                    return Math.log(sd) + NormalTail.logH(z);
                }
            }
        }
    }
}
