package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;

/** The 10-D Ackley function on {@code [-32.768, 32.768]^10} with a shifted optimum; f* = 0. */
public final class Ackley10 implements Objective {
    private static final double[] SHIFT = {1.5, -2.3, 4.1, -0.7, 3.3, -4.9, 0.9, 2.6, -3.8, 5.2};

    @Override
    public double evaluate(Parameters p) {
        double squares = 0;
        double cosines = 0;
        for (int i = 0; i < 10; i++) {
            double z = p.getDouble("x" + (i + 1)) - SHIFT[i];
            squares += z * z;
            cosines += Math.cos(2 * Math.PI * z);
        }
        return -20 * Math.exp(-0.2 * Math.sqrt(squares / 10)) - Math.exp(cosines / 10) + 20 + Math.E;
    }
}
