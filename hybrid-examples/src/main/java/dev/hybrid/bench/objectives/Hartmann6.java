package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;

/** Hartmann's 6-D function on {@code [0, 1]^6}; f* ≈ −3.32237, four local minima. */
public final class Hartmann6 implements Objective {
    private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
    private static final double[][] A = {
        {10, 3, 17, 3.5, 1.7, 8},
        {0.05, 10, 17, 0.1, 8, 14},
        {3, 3.5, 1.7, 10, 17, 8},
        {17, 8, 0.05, 10, 0.1, 14}};
    private static final double[][] P = {
        {1312, 1696, 5569, 124, 8283, 5886},
        {2329, 4135, 8307, 3736, 1004, 9991},
        {2348, 1451, 3522, 2883, 3047, 6650},
        {4047, 8828, 8732, 5743, 1091, 381}};

    @Override
    public double evaluate(Parameters p) {
        double[] x = new double[6];
        for (int j = 0; j < 6; j++) {
            x[j] = p.getDouble("x" + (j + 1));
        }
        double f = 0;
        for (int i = 0; i < 4; i++) {
            double s = 0;
            for (int j = 0; j < 6; j++) {
                double d = x[j] - 1e-4 * P[i][j];
                s += A[i][j] * d * d;
            }
            f -= ALPHA[i] * Math.exp(-s);
        }
        return f;
    }
}
