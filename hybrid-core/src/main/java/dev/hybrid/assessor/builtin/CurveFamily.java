package dev.hybrid.assessor.builtin;

import java.util.Optional;

/**
 * A parametric learning-curve family of Domhan et al. (2015) written as {@code y = c + k·g(x; p, q)}: linear in
 * {@code c} and {@code k}, with up to two nonlinear parameters {@code p, q} searched in log coordinates inside fixed
 * bounds. Families whose rate depends on the length of the curve measure {@code x} in units of {@code span} (the last
 * observed step), which keeps their bounds meaningful for short and long curves alike.
 */
enum CurveFamily {
    /** {@code y = a·log(x) + b}. */
    LOG_LINEAR(0, 0, 0, 0, 0) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            System.arraycopy(lnx, 0, g, 0, x.length);
        }
    },
    /** {@code y = c - a / log(x + 1)} (ilog2). */
    ILOG2(0, 0, 0, 0, 0) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            for (int i = 0; i < x.length; i++) {
                g[i] = 1 / Math.log(x[i] + 1);
            }
        }
    },
    /** {@code y = c - a·x^(-α)}, {@code α = e^p} in [0.01, 10]. */
    POW3(1, Math.log(0.01), Math.log(10), 0, 0) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            double alpha = Math.exp(p);
            for (int i = 0; i < x.length; i++) {
                g[i] = Math.exp(-alpha * lnx[i]);
            }
        }
    },
    /** {@code y = c - exp(-a·x + b)}, {@code a = e^p / span} with {@code e^p} in [0.01, 100]. */
    EXP3(1, Math.log(0.01), Math.log(100), 0, 0) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            double a = Math.exp(p) / span;
            for (int i = 0; i < x.length; i++) {
                g[i] = Math.exp(-a * x[i]);
            }
        }
    },
    /**
     * {@code y = c - (a·x + b)^(-α)}, written {@code c - k·(x + s)^(-α)} with {@code s = e^p·span} in
     * [1e-4, 10]·span and {@code α = e^q} in [0.01, 10].
     */
    POW4(2, Math.log(1e-4), Math.log(10), Math.log(0.01), Math.log(10)) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            double s = Math.exp(p) * span;
            double alpha = Math.exp(q);
            for (int i = 0; i < x.length; i++) {
                g[i] = Math.exp(-alpha * Math.log(x[i] + s));
            }
        }
    },
    /**
     * Janoschek, {@code y = α - (α - β)·exp(-κ·x^δ)}, with {@code κ·span^δ = e^p} in [1e-3, 50] and {@code δ = e^q}
     * in [0.1, 5]. Weibull ({@code exp(-(κx)^δ)}) and exp4 ({@code c - exp(-a·x^α + b)}) are the same family with
     * other parameter names, so they are not fitted again.
     */
    JANOSCHEK(2, Math.log(1e-3), Math.log(50), Math.log(0.1), Math.log(5)) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            double kappa = Math.exp(p);
            double delta = Math.exp(q);
            double lnSpan = Math.log(span);
            for (int i = 0; i < x.length; i++) {
                g[i] = Math.exp(-kappa * Math.exp(delta * (lnx[i] - lnSpan)));
            }
        }
    },
    /**
     * Morgan-Mercer-Flodin, {@code y = α - (α - β) / (1 + (κ·x)^δ)}, with {@code κ·span = e^p} in [0.01, 100] and
     * {@code δ = e^q} in [0.1, 5].
     */
    MMF(2, Math.log(0.01), Math.log(100), Math.log(0.1), Math.log(5)) {
        @Override
        void fill(double[] x, double[] lnx, double p, double q, double span, double[] g) {
            double delta = Math.exp(q);
            double shift = p - Math.log(span);
            for (int i = 0; i < x.length; i++) {
                g[i] = 1 / (1 + Math.exp(delta * (shift + lnx[i])));
            }
        }
    };

    /** Grid points per nonlinear parameter before the local search. */
    private static final int GRID_1D = 25;
    private static final int GRID_2D = 9;
    /** Evaluation budgets of the local search: they keep a 20-point prediction well under a millisecond. */
    private static final int EVALS_1D = 50;
    private static final int EVALS_2D = 150;

    private final int nonlinear;
    private final double pLow;
    private final double pHigh;
    private final double qLow;
    private final double qHigh;

    CurveFamily(int nonlinear, double pLow, double pHigh, double qLow, double qHigh) {
        this.nonlinear = nonlinear;
        this.pLow = pLow;
        this.pHigh = pHigh;
        this.qLow = qLow;
        this.qHigh = qHigh;
    }

    /** Writes the shape {@code g(x[i]; p, q)} into {@code g[i]}; {@code lnx[i]} is {@code log(x[i])}. */
    abstract void fill(double[] x, double[] lnx, double p, double q, double span, double[] g);

    /** The shape function {@code g(x; p, q)} at one step. */
    double basis(double x, double p, double q, double span) {
        double[] g = new double[1];
        fill(new double[] {x}, new double[] {Math.log(x)}, p, q, span, g);
        return g[0];
    }

    /** The number of fitted parameters: {@code c}, {@code k} and the nonlinear ones. */
    int parameters() {
        return 2 + nonlinear;
    }

    /**
     * Fits the family to {@code (x[i], y[i])} by least squares: the nonlinear parameters by a grid search followed by
     * a bounded Nelder-Mead search, each candidate's {@code c} and {@code k} in closed form (variable projection).
     *
     * @return the fit, or empty when the curve's shape cannot be fitted with finite values
     */
    Optional<CurveFit> fit(double[] x, double[] y, double span) {
        Projection projection = new Projection(this, x, y, span);
        double p = 0;
        double q = 0;
        if (nonlinear == 1) {
            double best = Double.POSITIVE_INFINITY;
            double step = (pHigh - pLow) / (GRID_1D - 1);
            for (int i = 0; i < GRID_1D; i++) {
                double pi = pLow + i * step;
                double r = projection.rss(pi, 0);
                if (r < best) {
                    best = r;
                    p = pi;
                }
            }
            double[] found = NelderMead.minimize(v -> projection.rss(clamp(v[0], pLow, pHigh), 0),
                    new double[] {p}, new double[] {step / 2}, EVALS_1D);
            p = clamp(found[0], pLow, pHigh);
        } else if (nonlinear == 2) {
            double best = Double.POSITIVE_INFINITY;
            double pStep = (pHigh - pLow) / (GRID_2D - 1);
            double qStep = (qHigh - qLow) / (GRID_2D - 1);
            for (int i = 0; i < GRID_2D; i++) {
                for (int j = 0; j < GRID_2D; j++) {
                    double pi = pLow + i * pStep;
                    double qj = qLow + j * qStep;
                    double r = projection.rss(pi, qj);
                    if (r < best) {
                        best = r;
                        p = pi;
                        q = qj;
                    }
                }
            }
            double[] found = NelderMead.minimize(
                    v -> projection.rss(clamp(v[0], pLow, pHigh), clamp(v[1], qLow, qHigh)),
                    new double[] {p, q}, new double[] {pStep / 2, qStep / 2}, EVALS_2D);
            p = clamp(found[0], pLow, pHigh);
            q = clamp(found[1], qLow, qHigh);
        }
        return projection.exact(p, q);
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** The least-squares {@code c, k} and residual sum of squares for given nonlinear parameters. */
    private static final class Projection {
        private final CurveFamily family;
        private final double[] x;
        private final double[] y;
        private final double span;
        private final double yMean;
        private final double syy;
        private final double[] lnx;
        private final double[] g;
        private double sgg;
        private double sgy;
        private double k;
        private double c;

        Projection(CurveFamily family, double[] x, double[] y, double span) {
            this.family = family;
            this.x = x;
            this.y = y;
            this.span = span;
            this.g = new double[x.length];
            this.lnx = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                lnx[i] = Math.log(x[i]);
            }
            double sum = 0;
            for (double v : y) {
                sum += v;
            }
            yMean = sum / y.length;
            double s = 0;
            for (double v : y) {
                s += (v - yMean) * (v - yMean);
            }
            syy = s;
        }

        /** Fills {@code g}, {@code k}, {@code c}, {@code sgg} and {@code sgy}; false when the shape is flat or not finite. */
        private boolean solve(double p, double q) {
            int n = x.length;
            double gSum = 0;
            double gMax = 0;
            family.fill(x, lnx, p, q, span, g);
            for (int i = 0; i < n; i++) {
                double v = g[i];
                if (!Double.isFinite(v)) {
                    return false;
                }
                gSum += v;
                gMax = Math.max(gMax, Math.abs(v));
            }
            double gMean = gSum / n;
            double sgg = 0;
            double sgy = 0;
            for (int i = 0; i < n; i++) {
                double d = g[i] - gMean;
                sgg += d * d;
                sgy += d * (y[i] - yMean);
            }
            // A shape that is flat over the data would need an unbounded k: it says nothing about the future.
            if (!(gMax > 1e-150) || !(sgg > 1e-18 * n * gMax * gMax)) {
                return false;
            }
            this.sgg = sgg;
            this.sgy = sgy;
            this.k = sgy / sgg;
            this.c = yMean - k * gMean;
            return true;
        }

        double rss(double p, double q) {
            if (!solve(p, q)) {
                return Double.POSITIVE_INFINITY;
            }
            double r = syy - sgy * sgy / sgg;
            return r > 0 ? r : 0;
        }

        Optional<CurveFit> exact(double p, double q) {
            if (!solve(p, q)) {
                return Optional.empty();
            }
            double r = 0;
            for (int i = 0; i < x.length; i++) {
                double e = y[i] - (c + k * g[i]);
                r += e * e;
            }
            if (!Double.isFinite(r) || !Double.isFinite(k) || !Double.isFinite(c)) {
                return Optional.empty();
            }
            return Optional.of(new CurveFit(family, p, q, span, c, k, r));
        }
    }
}
