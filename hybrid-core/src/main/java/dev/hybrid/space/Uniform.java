package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code uniform}: a float drawn uniformly from {@code [low, high]}. */
public record Uniform(String name, double low, double high) implements ParameterSpec {
    public Uniform {
        Objects.requireNonNull(name, "name");
        Checks.range(low, high);
    }

    @Override
    public String nniType() {
        return "uniform";
    }
}
