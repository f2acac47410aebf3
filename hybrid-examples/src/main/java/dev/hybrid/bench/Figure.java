package dev.hybrid.bench;

import java.util.Locale;
import java.util.Objects;

/**
 * One measured figure, printed by {@code hybrid bench --speed} as {@code name value unit}, e.g.
 * {@code tpe.suggest_ms@1000 0.812 ms}.
 *
 * @param name what was measured
 * @param value the measurement
 * @param unit its unit
 */
public record Figure(String name, double value, String unit) {
    public Figure {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(unit, "unit");
    }

    /** The line {@code name value unit}, the value with three decimals. */
    public String line() {
        return String.format(Locale.ROOT, "%s %.3f %s", name, value, unit);
    }
}
