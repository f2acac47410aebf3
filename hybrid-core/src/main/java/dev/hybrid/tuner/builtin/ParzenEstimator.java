package dev.hybrid.tuner.builtin;

import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A weighted mixture density over a group of dimensions: one product kernel per observation plus one prior
 * component. Numeric dimensions use normal kernels truncated to the range (bounded types) with adaptive bandwidths;
 * categorical dimensions use a kernel that keeps {@code 1 / (1 + priorWeight)} of its mass on the observed category
 * and spreads the rest uniformly. The prior component is the range's centre with the range as sigma (the spec's
 * normal for the normal types) and uniform categories. Immutable once built; all arrays are primitive so that
 * scoring stays free of boxing.
 */
final class ParzenEstimator {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final int MAX_REJECTIONS = 32;

    /**
     * Kernels are twice as wide as the larger gap to their sorted neighbours (before the clip): narrower kernels
     * (Optuna's factor 1) exploit sooner and got stuck in the wrong categorical basin of the mixed benchmark problem
     * more often, wider ones lost precision on the continuous problems.
     */
    static final double GAP_FACTOR = 2.0;

    private final Dim[] dims;
    private final int components;
    private final double priorWeight;
    private final double[] cumulativeWeight;
    private final double[] constant;
    /** Per dimension (index into {@link #dims}): kernel centres, or observed categories (-1 = the prior's uniform). */
    private final double[][] mu;
    private final double[][] sigma;
    private final double[][] invSigma;
    private final double[] logHit;
    private final double[] logMiss;
    private final double[] logUniform;

    /**
     * Builds the mixture.
     *
     * @param dims the group's dimensions
     * @param rows the points of the observations (full points, indexed by {@link Dim#index})
     * @param count how many of {@code rows} to use
     * @param weights the observations' weights (length at least {@code count})
     */
    ParzenEstimator(Dim[] dims, double[][] rows, int count, double[] weights, double priorWeight) {
        this.dims = dims;
        this.components = count + 1;
        this.priorWeight = priorWeight;
        int m = components;
        int prior = count;
        double total = priorWeight;
        for (int i = 0; i < count; i++) {
            total += weights[i];
        }
        double[] logW = new double[m];
        cumulativeWeight = new double[m];
        double acc = 0;
        for (int i = 0; i < m; i++) {
            double w = i == prior ? priorWeight : weights[i];
            acc += w;
            cumulativeWeight[i] = acc;
            logW[i] = Math.log(w / total);
        }
        constant = logW;
        int nd = dims.length;
        mu = new double[nd][];
        sigma = new double[nd][];
        invSigma = new double[nd][];
        logHit = new double[nd];
        logMiss = new double[nd];
        logUniform = new double[nd];
        for (int j = 0; j < nd; j++) {
            Dim d = dims[j];
            double[] centre = new double[m];
            for (int i = 0; i < count; i++) {
                centre[i] = rows[i][d.index];
            }
            if (d.categorical) {
                centre[prior] = -1;
                mu[j] = centre;
                double k = d.size;
                logHit[j] = Math.log((1 + priorWeight / k) / (1 + priorWeight));
                logMiss[j] = Math.log((priorWeight / k) / (1 + priorWeight));
                logUniform[j] = -Math.log(k);
                continue;
            }
            centre[prior] = d.priorMu;
            double[] s = neighbourGaps(d, centre, GAP_FACTOR);
            s[prior] = d.priorSigma;
            double[] inv = new double[m];
            double lastSigma = Double.NaN;
            double lastLog = 0;
            for (int i = 0; i < m; i++) {
                inv[i] = 1.0 / s[i];
                if (s[i] != lastSigma) {
                    lastSigma = s[i];
                    lastLog = Math.log(s[i]);
                }
                constant[i] -= lastLog + LOG_SQRT_2PI + (d.bounded ? logMass(d, centre[i], s[i]) : 0.0);
            }
            mu[j] = centre;
            sigma[j] = s;
            invSigma[j] = inv;
        }
    }

    private static double[] neighbourGaps(Dim d, double[] centre, double scale) {
        int m = centre.length;
        double[] s = new double[m];
        double width = d.width();
        double max = width;
        double min = width / Math.min(100.0, 1.0 + m);
        if (m == 1) {
            s[0] = width;
            return s;
        }
        // Sort (value, index) pairs as longs: the value's order-preserving bits above, the index in the low bits.
        // Dropping the lowest bits of the value only merges values closer than ~1e-12 relative, which have a zero
        // gap either way; the gaps themselves are taken from the exact values.
        int bits = 32 - Integer.numberOfLeadingZeros(m);
        long mask = (1L << bits) - 1;
        long[] keys = new long[m];
        for (int i = 0; i < m; i++) {
            keys[i] = (sortable(centre[i]) & ~mask) | i;
        }
        Arrays.sort(keys);
        for (int r = 0; r < m; r++) {
            int i = (int) (keys[r] & mask);
            double v = centre[i];
            double left = r > 0 ? v - centre[(int) (keys[r - 1] & mask)] : -1;
            double right = r < m - 1 ? centre[(int) (keys[r + 1] & mask)] - v : -1;
            double gap = Math.max(left, right);
            s[i] = Math.max(min, Math.min(max, gap * scale));
        }
        return s;
    }

    /** The bits of a double as a long whose signed order is the double's order. */
    private static long sortable(double v) {
        long b = Double.doubleToLongBits(v);
        return b < 0 ? b ^ Long.MAX_VALUE : b;
    }

    /** The log of the kernel's mass inside the range; zero when the range is many sigmas away on both sides. */
    private static double logMass(Dim d, double centre, double s) {
        double a = (d.low - centre) / s;
        double b = (d.high - centre) / s;
        if (a < -8 && b > 8) {
            return 0.0;
        }
        double mass = Normals.cdf(b) - Normals.cdf(a);
        return Math.log(Math.max(mass, 1e-300));
    }

    /** Draws one point of the group into {@code out[j]} (in the group's dimension order). */
    void sample(RandomGenerator random, double[] out) {
        double u = random.nextDouble() * cumulativeWeight[components - 1];
        int c = Arrays.binarySearch(cumulativeWeight, u);
        c = c >= 0 ? Math.min(c + 1, components - 1) : -c - 1;
        c = Math.min(c, components - 1);
        for (int j = 0; j < dims.length; j++) {
            Dim d = dims[j];
            if (d.categorical) {
                int obs = (int) mu[j][c];
                if (obs < 0 || random.nextDouble() * (1 + priorWeight) < priorWeight) {
                    out[j] = random.nextInt(d.size);
                } else {
                    out[j] = obs;
                }
            } else {
                out[j] = sampleNormal(d, mu[j][c], sigma[j][c], random);
            }
        }
    }

    private static double sampleNormal(Dim d, double centre, double s, RandomGenerator random) {
        if (!d.bounded) {
            return centre + s * random.nextGaussian();
        }
        for (int k = 0; k < MAX_REJECTIONS; k++) {
            double v = centre + s * random.nextGaussian();
            if (v >= d.low && v <= d.high) {
                return v;
            }
        }
        return d.low + (d.high - d.low) * random.nextDouble();
    }

    /**
     * The log densities of candidate points ({@code candidates[c][j]} in the group's dimension order) into
     * {@code out}; {@code scratch} must hold at least {@link #components()} entries.
     */
    void logDensity(double[][] candidates, int count, double[] out, double[] scratch) {
        int m = components;
        for (int c = 0; c < count; c++) {
            double[] x = candidates[c];
            System.arraycopy(constant, 0, scratch, 0, m);
            for (int j = 0; j < dims.length; j++) {
                double xv = x[j];
                double[] centre = mu[j];
                if (dims[j].categorical) {
                    double hit = logHit[j];
                    double miss = logMiss[j];
                    for (int i = 0; i < m; i++) {
                        double obs = centre[i];
                        scratch[i] += obs < 0 ? logUniform[j] : (obs == xv ? hit : miss);
                    }
                } else {
                    double[] inv = invSigma[j];
                    for (int i = 0; i < m; i++) {
                        double z = (xv - centre[i]) * inv[i];
                        scratch[i] -= 0.5 * z * z;
                    }
                }
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) {
                if (scratch[i] > max) {
                    max = scratch[i];
                }
            }
            double sum = 0;
            double cut = max - 40; // terms below e^-40 of the largest cannot change the sum
            for (int i = 0; i < m; i++) {
                if (scratch[i] > cut) {
                    sum += Math.exp(scratch[i] - max);
                }
            }
            out[c] = max + Math.log(sum);
        }
    }

    int components() {
        return components;
    }
}
