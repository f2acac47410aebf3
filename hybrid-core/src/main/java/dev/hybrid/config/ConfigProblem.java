package dev.hybrid.config;

import java.util.Objects;

/** One thing wrong with a configuration: where it is and what was expected instead. */
public record ConfigProblem(FieldPath path, String message) {
    public ConfigProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path.isRoot() ? message : path.value() + ": " + message;
    }
}
