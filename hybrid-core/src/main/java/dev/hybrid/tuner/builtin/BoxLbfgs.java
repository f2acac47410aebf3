package dev.hybrid.tuner.builtin;

/**
 * Minimises a smooth function over a box with a projected limited-memory BFGS method: the quasi-Newton direction of
 * the last {@code memory} steps, with the coordinates held at a bound (gradient pointing out of the box) left out, and
 * a backtracking Armijo search along the projected path. It is the local optimiser of the GP tuner, for both the
 * kernel hyperparameters and the acquisition function.
 */
final class BoxLbfgs {

    /** A differentiable objective: returns f(x) and writes ∇f(x) into {@code gradient}. */
    interface Function {
        double valueAndGradient(double[] x, double[] gradient);
    }

    private static final int MAX_BACKTRACKS = 30;
    private static final double ARMIJO = 1e-4;

    private final int memory;
    private final int maxIterations;
    private final double tolerance;

    BoxLbfgs(int memory, int maxIterations, double tolerance) {
        this.memory = memory;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
    }

    /**
     * Minimises {@code f} from {@code x} (clamped into the box, then overwritten with the best point found).
     *
     * @return the value at the returned point; +∞ if {@code f} was never finite
     */
    double minimise(Function f, double[] x, double[] lower, double[] upper) {
        int n = x.length;
        clamp(x, lower, upper);
        double[] g = new double[n];
        double fx = f.valueAndGradient(x, g);
        if (!Double.isFinite(fx) || !finite(g)) {
            return Double.isNaN(fx) ? Double.POSITIVE_INFINITY : fx;
        }
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        int stored = 0;
        int head = 0;
        double[] d = new double[n];
        double[] xn = new double[n];
        double[] gn = new double[n];
        double[] alpha = new double[memory];
        for (int iter = 0; iter < maxIterations; iter++) {
            if (projectedGradientNorm(x, g, lower, upper) < tolerance) {
                break;
            }
            // two-loop recursion on the free coordinates
            for (int i = 0; i < n; i++) {
                d[i] = isHeld(x[i], g[i], lower[i], upper[i]) ? 0 : -g[i];
            }
            for (int k = 0; k < stored; k++) {
                int j = Math.floorMod(head - 1 - k, memory);
                alpha[j] = rho[j] * dot(s[j], d);
                axpy(-alpha[j], y[j], d);
            }
            if (stored > 0) {
                int last = Math.floorMod(head - 1, memory);
                double gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
                scale(d, gamma);
            }
            for (int k = stored - 1; k >= 0; k--) {
                int j = Math.floorMod(head - 1 - k, memory);
                double beta = rho[j] * dot(y[j], d);
                axpy(alpha[j] - beta, s[j], d);
            }
            for (int i = 0; i < n; i++) {
                if (isHeld(x[i], g[i], lower[i], upper[i])) {
                    d[i] = 0;
                }
            }
            if (dot(d, g) >= 0) {
                // not a descent direction: fall back to steepest descent and forget the curvature pairs
                for (int i = 0; i < n; i++) {
                    d[i] = isHeld(x[i], g[i], lower[i], upper[i]) ? 0 : -g[i];
                }
                stored = 0;
            }
            double step = stored == 0 ? Math.min(1.0, 1.0 / Math.max(1e-12, maxAbs(d))) : 1.0;
            double fn = Double.NaN;
            boolean accepted = false;
            for (int b = 0; b < MAX_BACKTRACKS; b++) {
                for (int i = 0; i < n; i++) {
                    xn[i] = Math.max(lower[i], Math.min(upper[i], x[i] + step * d[i]));
                }
                fn = f.valueAndGradient(xn, gn);
                double decrease = 0;
                for (int i = 0; i < n; i++) {
                    decrease += g[i] * (xn[i] - x[i]);
                }
                if (Double.isFinite(fn) && finite(gn) && fn <= fx + ARMIJO * decrease) {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if (!accepted) {
                break;
            }
            double[] sk = new double[n];
            double[] yk = new double[n];
            for (int i = 0; i < n; i++) {
                sk[i] = xn[i] - x[i];
                yk[i] = gn[i] - g[i];
            }
            double sy = dot(sk, yk);
            if (sy > 1e-12 * Math.max(1e-300, dot(yk, yk))) {
                s[head] = sk;
                y[head] = yk;
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                stored = Math.min(stored + 1, memory);
            }
            double change = fx - fn;
            System.arraycopy(xn, 0, x, 0, n);
            System.arraycopy(gn, 0, g, 0, n);
            fx = fn;
            if (change <= tolerance * Math.max(1.0, Math.abs(fx))) {
                break;
            }
        }
        return fx;
    }

    private static boolean isHeld(double x, double g, double lower, double upper) {
        return (x <= lower && g > 0) || (x >= upper && g < 0);
    }

    private static double projectedGradientNorm(double[] x, double[] g, double[] lower, double[] upper) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double p = Math.max(lower[i], Math.min(upper[i], x[i] - g[i])) - x[i];
            m = Math.max(m, Math.abs(p));
        }
        return m;
    }

    private static void clamp(double[] x, double[] lower, double[] upper) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(lower[i], Math.min(upper[i], x[i]));
        }
    }

    private static boolean finite(double[] v) {
        for (double e : v) {
            if (!Double.isFinite(e)) {
                return false;
            }
        }
        return true;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double e : v) {
            m = Math.max(m, Math.abs(e));
        }
        return m;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double[] v, double a) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= a;
        }
    }
}
