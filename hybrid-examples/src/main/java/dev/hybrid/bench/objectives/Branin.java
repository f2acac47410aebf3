package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import dev.hybrid.space.Parameters;

/** Branin–Hoo on {@code x1 ∈ [-5, 10], x2 ∈ [0, 15]}; f* = 10/(8π) at three points. */
public final class Branin implements Objective {
    private static final double B = 5.1 / (4 * Math.PI * Math.PI);
    private static final double C = 5 / Math.PI;
    private static final double T = 1 / (8 * Math.PI);

    @Override
    public double evaluate(Parameters p) {
        double x1 = p.getDouble("x1");
        double x2 = p.getDouble("x2");
        double u = x2 - B * x1 * x1 + C * x1 - 6;
        return u * u + 10 * (1 - T) * Math.cos(x1) + 10;
    }
}
