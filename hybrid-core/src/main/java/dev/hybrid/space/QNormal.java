package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code qnormal}: {@code rint(normal(mu, sigma) / q) * q}, unbounded (no clip). */
public record QNormal(String name, double mu, double sigma, double q) implements ParameterSpec {
    public QNormal {
        Objects.requireNonNull(name, "name");
        Checks.finite("mu", mu);
        Checks.positive("sigma", sigma);
        Checks.positive("q", q);
    }

    /**
     * Quantises a raw value: round half to even, no clipping. A zero result is always {@code +0.0}, as NNI's
     * integer rounding gives, never {@code -0.0}.
     */
    public double quantize(double x) {
        return Math.rint(x / q) * q + 0.0;
    }

    @Override
    public String nniType() {
        return "qnormal";
    }
}
