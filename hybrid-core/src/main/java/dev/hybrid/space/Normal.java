package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code normal}: a float from {@code N(mu, sigma²)}, unbounded. */
public record Normal(String name, double mu, double sigma) implements ParameterSpec {
    public Normal {
        Objects.requireNonNull(name, "name");
        Checks.finite("mu", mu);
        Checks.positive("sigma", sigma);
    }

    @Override
    public String nniType() {
        return "normal";
    }
}
