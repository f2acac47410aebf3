package dev.hybrid.space;

import java.util.Objects;

/** NNI {@code qloguniform}: {@code clip(rint(loguniform(low, high) / q) * q, low, high)}. */
public record QLogUniform(String name, double low, double high, double q) implements ParameterSpec {
    public QLogUniform {
        Objects.requireNonNull(name, "name");
        Checks.range(low, high);
        Checks.positive("low", low);
        Checks.positive("q", q);
    }

    /**
     * Quantises a raw (not log) value as NNI does: round half to even, then clip to {@code [low, high]}. A zero result is always {@code +0.0}, as NNI's
     * integer rounding gives, never {@code -0.0}.
     */
    public double quantize(double x) {
        return Math.min(high, Math.max(low, Math.rint(x / q) * q + 0.0));
    }

    @Override
    public String nniType() {
        return "qloguniform";
    }
}
