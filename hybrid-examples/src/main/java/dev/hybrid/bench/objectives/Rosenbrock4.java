package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;

/** The 4-D Rosenbrock valley on {@code [-5, 10]^4}; f* = 0 at (1, 1, 1, 1). */
public final class Rosenbrock4 implements Objective {

    @Override
    public double evaluate(Parameters p) {
        double f = 0;
        for (int i = 1; i <= 3; i++) {
            double xi = p.getDouble("x" + i);
            double next = p.getDouble("x" + (i + 1));
            double a = next - xi * xi;
            double b = 1 - xi;
            f += 100 * a * a + b * b;
        }
        return f;
    }
}
