package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code randint}: an integer in {@code [lower, upper)} — the upper bound is excluded, as in NNI 2.0+. */
public record RandInt(String name, long lower, long upper) implements ParameterSpec {
    public RandInt {
        Objects.requireNonNull(name, "name");
        if (!(lower < upper)) {
            throw new IllegalArgumentException("randint needs lower < upper, was [" + lower + ", " + upper + "]");
        }
    }

    /** How many integers the range holds. */
    public long size() {
        return upper - lower;
    }

    @Override
    public String nniType() {
        return "randint";
    }
}
