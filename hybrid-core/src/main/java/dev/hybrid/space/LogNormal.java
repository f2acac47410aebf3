package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code lognormal}: {@code exp(normal(mu, sigma))}. */
public record LogNormal(String name, double mu, double sigma) implements ParameterSpec {
    public LogNormal {
        Objects.requireNonNull(name, "name");
        Checks.finite("mu", mu);
        Checks.positive("sigma", sigma);
    }

    @Override
    public String nniType() {
        return "lognormal";
    }
}
