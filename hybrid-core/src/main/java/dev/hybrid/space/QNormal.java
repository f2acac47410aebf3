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

    /** Quantises a raw value: round half to even, no clipping. */
    public double quantize(double x) {
        return Math.rint(x / q) * q;
    }

    @Override
    public String nniType() {
        return "qnormal";
    }
}
