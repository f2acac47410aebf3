package dev.hybrid.store;

import dev.hybrid.space.Parameters;
import java.util.Objects;

/**
 * One entry of NNI's import data ({@code [{"parameter": {...}, "value": ...}]}): parameters tried elsewhere and the
 * result they gave, fed to the tuner before it proposes new trials.
 *
 * @param value the result as JSON text: a number, or an object with a numeric {@code default}
 */
public record ImportedResult(Parameters parameters, String value) {
    public ImportedResult {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(value, "value");
    }
}
