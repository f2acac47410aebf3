package dev.hybrid.assessor.builtin;

import java.util.Objects;

/**
 * One family's least-squares fit {@code y = c + k·g(x; p, q)} and its residual sum of squares over the points it was
 * fitted to.
 */
record CurveFit(CurveFamily family, double p, double q, double span, double c, double k, double rss) {
    CurveFit {
        Objects.requireNonNull(family, "family");
    }

    /** The fitted curve's value at step {@code x}. */
    double valueAt(double x) {
        return c + k * family.basis(x, p, q, span);
    }
}
