package dev.hybrid.tuner.builtin;

/**
 * Logarithms and ratios of the standard normal's functions that stay accurate far in the lower tail, where the
 * expected and probable improvement of an acquisition function underflow. With φ the density, Φ the distribution
 * function and {@code h(z) = φ(z) + z·Φ(z)} (expected improvement per unit of standard deviation): below
 * {@value #TAIL} they are computed from the continued fraction of Mills' ratio {@code R(t) = Φ(−t)/φ(t)}, so that
 * {@code 1 − t·R(t)} is never formed by cancellation.
 */
final class NormalTail {
    private static final double TAIL = -5.0;
    private static final int TERMS = 80;
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

    private NormalTail() {
    }

    static double logPdf(double z) {
        return -0.5 * z * z - LOG_SQRT_2PI;
    }

    static double pdf(double z) {
        return Math.exp(logPdf(z));
    }

    /** {f0, f1} of Mills' continued fraction at t: R(t) = 1/f0, f0 = t + 1/f1, 1 − t·R(t) = 1/(1 + t·f1). */
    private static double[] fraction(double t) {
        double f = t;
        for (int k = TERMS; k >= 2; k--) {
            f = t + k / f;
        }
        double f1 = f;
        return new double[] {t + 1 / f1, f1};
    }

    /** log h(z). */
    static double logH(double z) {
        if (z > TAIL) {
            return Math.log(Math.max(pdf(z) + z * Normals.cdf(z), Double.MIN_NORMAL));
        }
        double t = -z;
        double[] f = fraction(t);
        return logPdf(z) - Math.log1p(t * f[1]);
    }

    /** Φ(z) / h(z). */
    static double cdfOverH(double z) {
        if (z > TAIL) {
            return Normals.cdf(z) / Math.max(pdf(z) + z * Normals.cdf(z), Double.MIN_NORMAL);
        }
        double t = -z;
        double[] f = fraction(t);
        // Φ/h = R / (1 − tR) = (1 + t·f1) / f0
        return (1 + t * f[1]) / f[0];
    }

    /** φ(z) / h(z). */
    static double pdfOverH(double z) {
        if (z > TAIL) {
            return pdf(z) / Math.max(pdf(z) + z * Normals.cdf(z), Double.MIN_NORMAL);
        }
        double t = -z;
        return 1 + t * fraction(t)[1];
    }

    /** log Φ(z). */
    static double logCdf(double z) {
        if (z > TAIL) {
            return Math.log(Normals.cdf(z));
        }
        return logPdf(z) - Math.log(fraction(-z)[0]);
    }

    /** φ(z) / Φ(z). */
    static double pdfOverCdf(double z) {
        if (z > TAIL) {
            return pdf(z) / Normals.cdf(z);
        }
        return fraction(-z)[0];
    }
}
