package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code loguniform}: {@code exp(uniform(log low, log high))}, with {@code 0 < low < high}. */
public record LogUniform(String name, double low, double high) implements ParameterSpec {
    public LogUniform {
        Objects.requireNonNull(name, "name");
        Checks.range(low, high);
        Checks.positive("low", low);
    }

    @Override
    public String nniType() {
        return "loguniform";
    }
}
