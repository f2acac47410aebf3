package dev.hybrid.assessor.builtin;

import java.util.function.ToDoubleFunction;

/** A small Nelder-Mead simplex minimiser for one or two unknowns, with a fixed evaluation budget. */
final class NelderMead {
    private static final double TOLERANCE = 1e-6;

    private NelderMead() {
    }

    /**
     * Minimises {@code f} from {@code start}, the first simplex spanning {@code steps} along each axis; stops when
     * the simplex has shrunk below {@code 1e-6} or after {@code maxEvals} evaluations.
     *
     * @return the best point found
     */
    static double[] minimize(ToDoubleFunction<double[]> f, double[] start, double[] steps, int maxEvals) {
        int d = start.length;
        double[][] pts = new double[d + 1][];
        double[] val = new double[d + 1];
        pts[0] = start.clone();
        val[0] = f.applyAsDouble(pts[0]);
        for (int i = 0; i < d; i++) {
            pts[i + 1] = start.clone();
            pts[i + 1][i] += steps[i];
            val[i + 1] = f.applyAsDouble(pts[i + 1]);
        }
        int evals = d + 1;
        double[] centroid = new double[d];
        while (evals < maxEvals) {
            sort(pts, val);
            if (size(pts) < TOLERANCE) {
                break;
            }
            java.util.Arrays.fill(centroid, 0);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    centroid[j] += pts[i][j] / d;
                }
            }
            double[] worst = pts[d];
            double[] reflected = along(centroid, worst, -1);
            double fr = f.applyAsDouble(reflected);
            evals++;
            if (fr < val[0]) {
                double[] expanded = along(centroid, worst, -2);
                double fe = f.applyAsDouble(expanded);
                evals++;
                if (fe < fr) {
                    pts[d] = expanded;
                    val[d] = fe;
                } else {
                    pts[d] = reflected;
                    val[d] = fr;
                }
            } else if (fr < val[d - 1]) {
                pts[d] = reflected;
                val[d] = fr;
            } else {
                boolean outside = fr < val[d];
                double[] contracted = outside ? along(centroid, worst, -0.5) : along(centroid, worst, 0.5);
                double fc = f.applyAsDouble(contracted);
                evals++;
                if (fc < Math.min(fr, val[d])) {
                    pts[d] = contracted;
                    val[d] = fc;
                } else {
                    for (int i = 1; i <= d; i++) {
                        for (int j = 0; j < d; j++) {
                            pts[i][j] = pts[0][j] + 0.5 * (pts[i][j] - pts[0][j]);
                        }
                        val[i] = f.applyAsDouble(pts[i]);
                        evals++;
                    }
                }
            }
        }
        sort(pts, val);
        return pts[0];
    }

    /** {@code centroid + t·(point - centroid)}. */
    private static double[] along(double[] centroid, double[] point, double t) {
        double[] out = new double[centroid.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = centroid[j] + t * (point[j] - centroid[j]);
        }
        return out;
    }

    /** Insertion sort by value; NaN counts as worst. */
    private static void sort(double[][] pts, double[] val) {
        for (int i = 1; i < val.length; i++) {
            double v = val[i];
            double[] p = pts[i];
            int j = i - 1;
            while (j >= 0 && worse(val[j], v)) {
                val[j + 1] = val[j];
                pts[j + 1] = pts[j];
                j--;
            }
            val[j + 1] = v;
            pts[j + 1] = p;
        }
    }

    private static boolean worse(double a, double b) {
        return Double.isNaN(a) ? !Double.isNaN(b) : a > b;
    }

    private static double size(double[][] pts) {
        double s = 0;
        for (int i = 1; i < pts.length; i++) {
            for (int j = 0; j < pts[0].length; j++) {
                s = Math.max(s, Math.abs(pts[i][j] - pts[0][j]));
            }
        }
        return s;
    }
}
