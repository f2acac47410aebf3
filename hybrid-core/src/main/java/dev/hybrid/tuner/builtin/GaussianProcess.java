package dev.hybrid.tuner.builtin;

import java.util.Arrays;
import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;
import org.ejml.dense.row.linsol.chol.LinearSolverChol_DDRM;

/**
 * A Gaussian process on the unit cube with a constant mean, a Matérn kernel (ν = ½, 3⁄2 or 5⁄2) or its limit ν → ∞,
 * the squared-exponential (RBF) kernel, one length scale per input dimension (ARD), a signal variance and a noise
 * variance. The hyperparameters are the maximum a posteriori estimate under log-normal priors, found by
 * {@link BoxLbfgs} on their logarithms; the constant is their generalised least-squares estimate
 * {@code 1ᵀK⁻¹y / 1ᵀK⁻¹1} (it has no prior, as BoTorch's {@code ConstantMean}), profiled out of the likelihood, so the
 * gradient in the other hyperparameters is unchanged. Factorisations come from EJML. Outcomes are expected
 * standardised (mean 0, variance 1).
 *
 * <p>Far from the data the prediction falls back to the mean. With a zero mean that is the sample mean of the
 * standardised outcomes; the fitted constant weights clustered results less, which on a wide plateau with a few
 * better results (Ackley) keeps unexplored space from looking better than the plateau it most likely belongs to.
 * BoTorch's {@code SingleTaskGP} fits such a constant as well.
 *
 * <p>Priors (on the natural logarithm of each hyperparameter): length scales N(√2 + ½·ln d, 3), d the number of
 * inputs, so that the prior length grows with the dimension as in BoTorch's default; signal variance N(0, 1); noise
 * variance N(−4, 1), never below the {@code noiseFloor}. Each prior is the density of the value itself, as GPyTorch
 * evaluates BoTorch's priors, so its mode on the log scale lies at {@code m − v}.
 */
final class GaussianProcess {
    /** Matérn smoothness. */
    enum Nu {
        HALF, THREE_HALVES, FIVE_HALVES,
        /** The limit ν → ∞: the squared-exponential (RBF) kernel. */
        INFINITE
    }

    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final double MIN_LENGTH = 1e-3;
    private static final double MAX_LENGTH = 1e3;
    private static final double MIN_SIGNAL = 1e-3;
    private static final double MAX_SIGNAL = 1e3;
    private static final double MAX_NOISE = 1.0;
    private static final double NOISE_PRIOR_MEAN = -4.0;
    private static final double LENGTH_PRIOR_VARIANCE = 3.0;

    private final Nu nu;
    private final double noiseFloor;
    private final int dims;

    GaussianProcess(Nu nu, double noiseFloor, int dims) {
        this.nu = nu;
        this.noiseFloor = Math.max(noiseFloor, 1e-10);
        this.dims = dims;
    }

    /** The prior mode of the log-hyperparameters: d log length scales, log signal variance, log noise variance. */
    double[] priorMode() {
        double[] theta = new double[dims + 2];
        Arrays.fill(theta, 0, dims, lengthPriorMean() - LENGTH_PRIOR_VARIANCE);
        theta[dims] = 0.0;
        theta[dims + 1] = Math.max(NOISE_PRIOR_MEAN - 1, Math.log(noiseFloor));
        return theta;
    }

    private double lengthPriorMean() {
        return Math.sqrt(2) + 0.5 * Math.log(Math.max(1, dims));
    }

    /**
     * Fits the hyperparameters to {@code (x, y)} by L-BFGS from each of {@code starts} (log-hyperparameter vectors, as
     * {@link #priorMode()}) and returns the posterior of the best.
     */
    Posterior fit(double[][] x, double[] y, double[][] starts, int maxIterations) {
        double[] lower = new double[dims + 2];
        double[] upper = new double[dims + 2];
        Arrays.fill(lower, 0, dims, Math.log(MIN_LENGTH));
        Arrays.fill(upper, 0, dims, Math.log(MAX_LENGTH));
        lower[dims] = Math.log(MIN_SIGNAL);
        upper[dims] = Math.log(MAX_SIGNAL);
        lower[dims + 1] = Math.log(noiseFloor);
        upper[dims + 1] = Math.max(Math.log(MAX_NOISE), lower[dims + 1]);
        BoxLbfgs lbfgs = new BoxLbfgs(8, maxIterations, 1e-6);
        Likelihood objective = new Likelihood(x, y);
        double best = Double.POSITIVE_INFINITY;
        double[] bestTheta = priorMode();
        for (double[] start : starts) {
            double[] theta = start.clone();
            double v = lbfgs.minimise(objective, theta, lower, upper);
            if (v < best) {
                best = v;
                bestTheta = theta;
            }
        }
        return posterior(x, y, bestTheta);
    }

    /**
     * The posterior for {@code (x, y)} with fixed log-hyperparameters; the noise grows tenfold until the kernel matrix
     * factorises (near-duplicate inputs).
     */
    Posterior posterior(double[][] x, double[] y, double[] theta) {
        double[] t = theta.clone();
        for (int attempt = 0; attempt < 12; attempt++) {
            Optional<Factor> factored = factor(x, t);
            if (factored.isPresent()) {
                Factor f = factored.get();
                double constant = f.constantMean(y);
                double[] alpha = f.solve(minus(y, constant));
                DMatrixRMaj inverse = new DMatrixRMaj(x.length, x.length);
                f.solver.invert(inverse);
                return new Posterior(this, x, t, alpha, inverse.data, constant);
            }
            t[dims + 1] = Math.log(Math.max(Math.exp(t[dims + 1]) * 10, 1e-8));
        }
        throw new IllegalStateException("the kernel matrix does not factorise even with noise "
                + Math.exp(t[dims + 1]));
    }

    /** The objective {@link #fit} minimises: −log posterior density of the log-hyperparameters, with its gradient. */
    BoxLbfgs.Function negativeLogPosterior(double[][] x, double[] y) {
        return new Likelihood(x, y);
    }

    /** −log posterior density of the hyperparameters (up to a constant) and its gradient. */
    private final class Likelihood implements BoxLbfgs.Function {
        private final double[][] x;
        private final double[] y;
        /** Squared differences per pair and dimension: diff[d][i * n + j]. */
        private final double[][] diff;

        Likelihood(double[][] x, double[] y) {
            this.x = x;
            this.y = y;
            int n = x.length;
            diff = new double[dims][n * n];
            for (int d = 0; d < dims; d++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double delta = x[i][d] - x[j][d];
                        diff[d][i * n + j] = delta * delta;
                    }
                }
            }
        }

        @Override
        public double valueAndGradient(double[] theta, double[] gradient) {
            int n = x.length;
            Optional<Factor> factored = factor(x, theta);
            if (factored.isEmpty()) {
                return Double.POSITIVE_INFINITY;
            }
            Factor f = factored.get();
            // the constant mean is profiled out: at its optimum ∂nll/∂c = 0, so the gradient below needs no term for it
            double[] centred = minus(y, f.constantMean(y));
            double[] alpha = f.solve(centred);
            double nll = 0.5 * dot(centred, alpha) + 0.5 * f.logDet + 0.5 * n * LOG_2PI;
            DMatrixRMaj inverse = new DMatrixRMaj(n, n);
            f.solver.invert(inverse);
            // W = α αᵀ − K⁻¹; ∂nll/∂θ = −½ Σ W ∘ ∂K/∂θ
            double[] w = inverse.data;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    w[i * n + j] = alpha[i] * alpha[j] - w[i * n + j];
                }
            }
            double signal = Math.exp(theta[dims]);
            double noise = Math.exp(theta[dims + 1]);
            double gSignal = 0;
            double gNoise = 0;
            double[] wg = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int ij = i * n + j;
                    gSignal += w[ij] * f.kernel[ij];
                    wg[ij] = w[ij] * f.slope[ij];
                }
                gNoise += w[i * n + i] * noise;
            }
            for (int d = 0; d < dims; d++) {
                double inv2 = Math.exp(-2 * theta[d]);
                double s = 0;
                double[] dd = diff[d];
                for (int ij = 0; ij < n * n; ij++) {
                    s += wg[ij] * dd[ij];
                }
                gradient[d] = -0.5 * s * inv2;
            }
            gradient[dims] = -0.5 * gSignal;
            gradient[dims + 1] = -0.5 * gNoise;
            // log-normal priors on the length scales and the noise, as densities of the values themselves (as GPyTorch
            // evaluates them), hence the + θ of the Jacobian, which moves the mode to m − v: −log p = θ + (θ − m)²/(2v)
            double lm = lengthPriorMean();
            for (int d = 0; d < dims; d++) {
                nll += theta[d] + (theta[d] - lm) * (theta[d] - lm) / (2 * LENGTH_PRIOR_VARIANCE);
                gradient[d] += 1 + (theta[d] - lm) / LENGTH_PRIOR_VARIANCE;
            }
            nll += 0.5 * theta[dims] * theta[dims];
            gradient[dims] += theta[dims];
            double noiseOff = theta[dims + 1] - NOISE_PRIOR_MEAN;
            nll += theta[dims + 1] + 0.5 * noiseOff * noiseOff;
            gradient[dims + 1] += 1 + noiseOff;
            if (signal <= 0) {
                return Double.POSITIVE_INFINITY;
            }
            return nll;
        }
    }

    /** The Cholesky factorisation of K = k(x, x) + noise·I, with k and its radial slope kept for the gradient. */
    private static final class Factor {
        final LinearSolverChol_DDRM solver;
        final double logDet;
        /** Noise-free kernel matrix, row-major. */
        final double[] kernel;
        /** −(∂k/∂r)/r per pair (see {@link #slope}), row-major. */
        final double[] slope;

        Factor(LinearSolverChol_DDRM solver, double logDet, double[] kernel, double[] slope) {
            this.solver = solver;
            this.logDet = logDet;
            this.kernel = kernel;
            this.slope = slope;
        }

        double[] solve(double[] y) {
            DMatrixRMaj b = new DMatrixRMaj(y.length, 1, true, y);
            DMatrixRMaj out = new DMatrixRMaj(y.length, 1);
            solver.solve(b, out);
            return out.data;
        }

        /** The generalised least-squares constant mean {@code 1ᵀK⁻¹y / 1ᵀK⁻¹1}. */
        double constantMean(double[] y) {
            double[] ones = new double[y.length];
            Arrays.fill(ones, 1.0);
            double[] k1 = solve(ones);
            double num = 0;
            double den = 0;
            for (int i = 0; i < y.length; i++) {
                num += k1[i] * y[i];
                den += k1[i];
            }
            return den > 0 ? num / den : 0.0;
        }
    }

    /** Factorises K for {@code theta}; empty when it is not numerically positive definite. */
    private Optional<Factor> factor(double[][] x, double[] theta) {
        int n = x.length;
        double signal = Math.exp(theta[dims]);
        double noise = Math.exp(theta[dims + 1]);
        double[] inv = new double[dims];
        for (int d = 0; d < dims; d++) {
            inv[d] = Math.exp(-theta[d]);
        }
        double[] k = new double[n * n];
        double[] slope = new double[n * n];
        double[] ks = new double[2];
        for (int i = 0; i < n; i++) {
            k[i * n + i] = signal;
            slope[i * n + i] = nu == Nu.HALF ? 0 : radial(0, signal, ks)[1];
            for (int j = 0; j < i; j++) {
                double r2 = 0;
                for (int d = 0; d < dims; d++) {
                    double z = (x[i][d] - x[j][d]) * inv[d];
                    r2 += z * z;
                }
                radial(Math.sqrt(r2), signal, ks);
                k[i * n + j] = ks[0];
                k[j * n + i] = ks[0];
                slope[i * n + j] = ks[1];
                slope[j * n + i] = ks[1];
            }
        }
        DMatrixRMaj a = new DMatrixRMaj(n, n);
        for (int ij = 0; ij < n * n; ij++) {
            a.data[ij] = k[ij];
        }
        for (int i = 0; i < n; i++) {
            a.data[i * n + i] += noise;
        }
        CholeskyDecompositionInner_DDRM chol = new CholeskyDecompositionInner_DDRM(true);
        LinearSolverChol_DDRM solver = new LinearSolverChol_DDRM(chol);
        if (!solver.setA(a)) {
            return Optional.empty();
        }
        DMatrixRMaj l = chol.getT(null);
        double logDet = 0;
        for (int i = 0; i < n; i++) {
            double li = l.get(i, i);
            if (!(li > 0) || !Double.isFinite(li)) {
                return Optional.empty();
            }
            logDet += 2 * Math.log(li);
        }
        return Optional.of(new Factor(solver, logDet, k, slope));
    }

    /**
     * The kernel at scaled distance {@code r}, into {@code out[0]}, and {@code −(∂k/∂r)/r} into {@code out[1]} (finite
     * at r = 0 for ν ≥ 3⁄2; 0 there for ν = ½, whose kernel has no derivative at 0).
     */
    double[] radial(double r, double signal, double[] out) {
        switch (nu) {
            case HALF: {
                double e = Math.exp(-r);
                out[0] = signal * e;
                out[1] = r > 0 ? signal * e / r : 0;
                break;
            }
            case THREE_HALVES: {
                double s3 = Math.sqrt(3) * r;
                double e = Math.exp(-s3);
                out[0] = signal * (1 + s3) * e;
                out[1] = 3 * signal * e;
                break;
            }
            case INFINITE: {
                double e = Math.exp(-0.5 * r * r);
                out[0] = signal * e;
                out[1] = signal * e;
                break;
            }
            default: {
                double s5 = Math.sqrt(5) * r;
                double e = Math.exp(-s5);
                out[0] = signal * (1 + s5 + 5 * r * r / 3) * e;
                out[1] = 5.0 / 3.0 * signal * (1 + s5) * e;
                break;
            }
        }
        return out;
    }

    int dims() {
        return dims;
    }

    private static double[] minus(double[] y, double c) {
        double[] out = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = y[i] - c;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** A fitted GP: predicts mean and variance of the latent function, with their gradients in the inputs. */
    static final class Posterior {
        private final GaussianProcess gp;
        private final double[][] x;
        private final double[] theta;
        private final double[] alpha;
        private final double[] inverse;
        private final double[] invSq;
        private final double signal;
        private final double constant;

        Posterior(GaussianProcess gp, double[][] x, double[] theta, double[] alpha, double[] inverse, double constant) {
            this.constant = constant;
            this.gp = gp;
            this.x = x;
            this.theta = theta;
            this.alpha = alpha;
            this.inverse = inverse;
            this.signal = Math.exp(theta[gp.dims]);
            this.invSq = new double[gp.dims];
            for (int d = 0; d < gp.dims; d++) {
                invSq[d] = Math.exp(-2 * theta[d]);
            }
        }

        /** The fitted constant mean. */
        double constant() {
            return constant;
        }

        /** The log-hyperparameters this posterior uses. */
        double[] theta() {
            return theta.clone();
        }

        /** This posterior's hyperparameters, conditioned on more points (kriging believer fantasies, for instance). */
        Posterior with(double[][] moreX, double[] allY) {
            double[][] all = Arrays.copyOf(x, x.length + moreX.length);
            System.arraycopy(moreX, 0, all, x.length, moreX.length);
            return gp.posterior(all, allY, theta);
        }

        /**
         * Predicts at {@code z}: writes mean and variance into {@code out[0..1]}, and, when {@code gradMean} is not
         * null, ∂mean/∂z and ∂variance/∂z into {@code gradMean} and {@code gradVar}.
         */
        void predict(double[] z, double[] out, double[] gradMean, double[] gradVar, double[] scratchK,
                double[] scratchSlope) {
            int n = x.length;
            int dims = gp.dims;
            double[] ks = new double[2];
            for (int i = 0; i < n; i++) {
                double r2 = 0;
                double[] xi = x[i];
                for (int d = 0; d < dims; d++) {
                    double delta = z[d] - xi[d];
                    r2 += delta * delta * invSq[d];
                }
                gp.radial(Math.sqrt(r2), signal, ks);
                scratchK[i] = ks[0];
                scratchSlope[i] = ks[1];
            }
            double mean = constant;
            for (int i = 0; i < n; i++) {
                mean += scratchK[i] * alpha[i];
            }
            // v = K⁻¹ k; variance = signal − kᵀ v
            double variance = signal;
            double[] v = gradMean == null ? null : new double[n];
            for (int i = 0; i < n; i++) {
                double s = 0;
                int row = i * n;
                for (int j = 0; j < n; j++) {
                    s += inverse[row + j] * scratchK[j];
                }
                variance -= scratchK[i] * s;
                if (v != null) {
                    v[i] = s;
                }
            }
            out[0] = mean;
            out[1] = Math.max(variance, 0);
            if (gradMean == null) {
                return;
            }
            Arrays.fill(gradMean, 0);
            Arrays.fill(gradVar, 0);
            // ∂k_i/∂z_d = −slope_i (z_d − x_id) / l_d²
            for (int i = 0; i < n; i++) {
                double a = scratchSlope[i] * alpha[i];
                double b = -2 * scratchSlope[i] * v[i];
                double[] xi = x[i];
                for (int d = 0; d < dims; d++) {
                    double dk = (z[d] - xi[d]) * invSq[d];
                    gradMean[d] -= a * dk;
                    gradVar[d] -= b * dk;
                }
            }
        }

        int size() {
            return x.length;
        }
    }
}
