package dev.hybrid.space;

import java.util.Objects;

/**
 * Conversions between the values a trial receives and the two representations tuners compute in, for the numeric
 * specs other than {@link RandInt} (which tuners treat as a category):
 * <ul>
 *   <li>the <em>internal</em> scale of NNI's tuners (reference §4): the log types live in log space, everything else
 *       as is; {@link #fromInternal} applies {@code exp}, then the quantisation and clipping of the q-types;</li>
 *   <li>the <em>unit</em> interval: the spec's prior distribution function, so {@code 0.5} is the midpoint of a
 *       uniform, the geometric mean of a log-uniform and the mean of a normal; {@link #fromUnit} is its inverse.</li>
 * </ul>
 * Also holds the standard normal distribution function and its inverse, which both directions of the unit mapping
 * need. Pure functions; safe from any thread.
 */
public final class ValueMapping {
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    private ValueMapping() {
    }

    /**
     * The trial value for an internal value {@code x}: {@code exp} for the log types, then the q-types' rounding
     * (half to even) and, for {@code quniform}/{@code qloguniform}, clipping to {@code [low, high]}.
     *
     * @throws IllegalArgumentException for a {@link Choice} or {@link RandInt}
     */
    public static double fromInternal(ParameterSpec spec, double x) {
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof Uniform || spec instanceof Normal) {
            return x;
        }
        if (spec instanceof LogUniform || spec instanceof LogNormal) {
            return Math.exp(x);
        }
        if (spec instanceof QUniform s) {
            return s.quantize(x);
        }
        if (spec instanceof QLogUniform s) {
            return s.quantize(Math.exp(x));
        }
        if (spec instanceof QNormal s) {
            return s.quantize(x);
        }
        if (spec instanceof QLogNormal s) {
            return s.quantize(Math.exp(x));
        }
        throw notNumeric(spec);
    }

    /**
     * The internal value of a trial value: {@code log} for the log types, the value itself otherwise. Quantisation
     * cannot be undone, so for the q-types this gives the internal value of the grid point.
     *
     * @throws IllegalArgumentException for a {@link Choice} or {@link RandInt}
     */
    public static double toInternal(ParameterSpec spec, double value) {
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof LogUniform || spec instanceof QLogUniform || spec instanceof LogNormal
                || spec instanceof QLogNormal) {
            return Math.log(value);
        }
        if (spec instanceof Uniform || spec instanceof QUniform || spec instanceof Normal || spec instanceof QNormal) {
            return value;
        }
        throw notNumeric(spec);
    }

    /**
     * The trial value at probability {@code u} of the spec's distribution, quantised and clipped as NNI does:
     * {@code uniform} maps {@code u} linearly onto {@code [low, high]}, {@code loguniform} linearly in log space, the
     * normal types through the inverse normal distribution function.
     *
     * @param u in {@code [0, 1]} for the uniform types, in {@code (0, 1)} for the normal types
     * @throws IllegalArgumentException for a {@link Choice} or {@link RandInt}, or {@code u} out of range
     */
    public static double fromUnit(ParameterSpec spec, double u) {
        Objects.requireNonNull(spec, "spec");
        if (!(u >= 0 && u <= 1)) {
            throw new IllegalArgumentException("u must be in [0, 1], was " + u);
        }
        if (spec instanceof Uniform s) {
            return clip(lerp(s.low(), s.high(), u), s.low(), s.high());
        }
        if (spec instanceof QUniform s) {
            return s.quantize(lerp(s.low(), s.high(), u));
        }
        if (spec instanceof LogUniform s) {
            return logLerp(s.low(), s.high(), u);
        }
        if (spec instanceof QLogUniform s) {
            return s.quantize(logLerp(s.low(), s.high(), u));
        }
        if (spec instanceof Normal s) {
            return s.mu() + s.sigma() * normalQuantile(u);
        }
        if (spec instanceof QNormal s) {
            return s.quantize(s.mu() + s.sigma() * normalQuantile(u));
        }
        if (spec instanceof LogNormal s) {
            return Math.exp(s.mu() + s.sigma() * normalQuantile(u));
        }
        if (spec instanceof QLogNormal s) {
            return s.quantize(Math.exp(s.mu() + s.sigma() * normalQuantile(u)));
        }
        throw notNumeric(spec);
    }

    /**
     * The probability of values up to {@code value} under the spec's (unquantised) distribution; the inverse of
     * {@link #fromUnit} for the continuous types. Clipped to {@code [0, 1]} for values outside a bounded range.
     *
     * @throws IllegalArgumentException for a {@link Choice} or {@link RandInt}
     */
    public static double toUnit(ParameterSpec spec, double value) {
        Objects.requireNonNull(spec, "spec");
        if (spec instanceof Uniform s) {
            return clip((value - s.low()) / (s.high() - s.low()), 0, 1);
        }
        if (spec instanceof QUniform s) {
            return clip((value - s.low()) / (s.high() - s.low()), 0, 1);
        }
        if (spec instanceof LogUniform s) {
            return logUnit(value, s.low(), s.high());
        }
        if (spec instanceof QLogUniform s) {
            return logUnit(value, s.low(), s.high());
        }
        if (spec instanceof Normal s) {
            return normalCdf((value - s.mu()) / s.sigma());
        }
        if (spec instanceof QNormal s) {
            return normalCdf((value - s.mu()) / s.sigma());
        }
        if (spec instanceof LogNormal s) {
            return value <= 0 ? 0 : normalCdf((Math.log(value) - s.mu()) / s.sigma());
        }
        if (spec instanceof QLogNormal s) {
            return value <= 0 ? 0 : normalCdf((Math.log(value) - s.mu()) / s.sigma());
        }
        throw notNumeric(spec);
    }

    /** The standard normal distribution function Φ(z), accurate to about 1e-15 relative in both tails. */
    public static double normalCdf(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        if (z < -3) {
            return upperTail(-z);
        }
        if (z > 3) {
            return 1 - upperTail(z);
        }
        // Taylor series Φ(z) = 1/2 + φ(z) · Σ z^(2n+1) / (1·3·5···(2n+1)), which converges fast for |z| ≤ 3.
        double term = z;
        double sum = z;
        double z2 = z * z;
        for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= z2 / (2 * n + 1);
            sum += term;
        }
        return 0.5 + density(z) * sum;
    }

    /**
     * The inverse of the standard normal distribution function, Φ⁻¹(p); {@code normalQuantile(0.5) == 0} exactly.
     *
     * @return {@code -Infinity} at 0 and {@code +Infinity} at 1
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1]}
     */
    public static double normalQuantile(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], was " + p);
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1) {
            return Double.POSITIVE_INFINITY;
        }
        if (p > 0.5) {
            // 1 - p is exact here, and the lower tail keeps its relative accuracy.
            return -normalQuantile(1 - p);
        }
        double x = rationalQuantile(p);
        // One Halley step against the accurate distribution function brings the rational start to full precision.
        double e = normalCdf(x) - p;
        double step = e * SQRT_2PI * Math.exp(x * x / 2);
        return x - step / (1 + x * step / 2);
    }

    /** Q(t) = 1 − Φ(t) for t ≥ 3, by the continued fraction φ(t) / (t + 1/(t + 2/(t + 3/(t + …)))). */
    private static double upperTail(double t) {
        if (t > 40) {
            return 0;
        }
        double f = t;
        for (int k = 120; k >= 1; k--) {
            f = t + k / f;
        }
        return density(t) / f;
    }

    private static double density(double z) {
        return Math.exp(-z * z / 2) / SQRT_2PI;
    }

    /** A rational approximation of Φ⁻¹ for p ≤ 1/2 (relative error about 1e-9), refined by the caller. */
    private static double rationalQuantile(double p) {
        if (p < 0.02425) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e+00) * q
                    - 2.549732539343734e+00) * q + 4.374664141464968e+00) * q + 2.938163982698783e+00)
                    / ((((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e+00) * q
                    + 3.754408661907416e+00) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r
                + 1.383577518672690e+02) * r - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
                / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r
                + 6.680131188771972e+01) * r - 1.328068155288572e+01) * r + 1);
    }

    private static double logUnit(double value, double low, double high) {
        if (value <= low) {
            return 0;
        }
        return clip((Math.log(value) - Math.log(low)) / (Math.log(high) - Math.log(low)), 0, 1);
    }

    /** {@code exp} of a linear interpolation in log space, exact at both ends (where {@code exp(log x) != x}). */
    private static double logLerp(double low, double high, double u) {
        if (u == 0) {
            return low;
        }
        if (u == 1) {
            return high;
        }
        return clip(Math.exp(lerp(Math.log(low), Math.log(high), u)), low, high);
    }

    private static double lerp(double low, double high, double u) {
        return low + u * (high - low);
    }

    private static double clip(double x, double low, double high) {
        return Math.min(high, Math.max(low, x));
    }

    private static IllegalArgumentException notNumeric(ParameterSpec spec) {
        return new IllegalArgumentException("parameter '" + spec.name() + "' of _type " + spec.nniType()
                + " has no numeric scale; tuners treat it as a category");
    }
}
