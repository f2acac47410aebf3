package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code qlognormal}: {@code rint(exp(normal(mu, sigma)) / q) * q} (no clip). */
public record QLogNormal(String name, double mu, double sigma, double q) implements ParameterSpec {
    public QLogNormal {
        Objects.requireNonNull(name, "name");
        Checks.finite("mu", mu);
        Checks.positive("sigma", sigma);
        Checks.positive("q", q);
    }

    /**
     * Quantises a raw (not log) value: round half to even, no clipping. A zero result is always {@code +0.0}, as NNI's
     * integer rounding gives, never {@code -0.0}.
     */
    public double quantize(double x) {
        return Math.rint(x / q) * q + 0.0;
    }

    @Override
    public String nniType() {
        return "qlognormal";
    }
}
