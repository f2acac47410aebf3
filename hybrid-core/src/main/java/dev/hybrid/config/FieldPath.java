package dev.hybrid.config;

import java.util.Objects;

/**
 * The location of a value in a configuration, spelled as in the YAML or JSON the user wrote:
 * {@code machineList[0].port}, {@code tuner.classArgs.gamma}, {@code lr._value}. The root path is empty.
 */
public record FieldPath(String value) {
    /** The empty path, for problems about the whole document. */
    public static final FieldPath ROOT = new FieldPath("");

    public FieldPath {
        Objects.requireNonNull(value, "value");
    }

    /** Parses a dotted path such as {@code tuner.classArgs}; the empty string gives {@link #ROOT}. */
    public static FieldPath of(String path) {
        return new FieldPath(path);
    }

    /** This path followed by a key: {@code a.b} → {@code a.b.key}. */
    public FieldPath child(String key) {
        Objects.requireNonNull(key, "key");
        return new FieldPath(value.isEmpty() ? key : value + "." + key);
    }

    /** This path followed by a list index: {@code a} → {@code a[3]}. */
    public FieldPath index(int i) {
        return new FieldPath(value + "[" + i + "]");
    }

    public boolean isRoot() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "<root>" : value;
    }
}
