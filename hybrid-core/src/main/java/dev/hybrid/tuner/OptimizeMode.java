package dev.hybrid.tuner;

/** Whether a tuner seeks the largest or the smallest final metric (NNI's {@code optimize_mode}). */
public enum OptimizeMode {
    MAXIMIZE, MINIMIZE;

    /** Whether {@code a} is strictly better than {@code b} in this mode; NaN is never better. */
    public boolean isBetter(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return this == MAXIMIZE ? a > b : a < b;
    }

    /** The value as a loss to minimise: itself when minimising, negated when maximising. */
    public double toLoss(double value) {
        return this == MAXIMIZE ? -value : value;
    }
}
