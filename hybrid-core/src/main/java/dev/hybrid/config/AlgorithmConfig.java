package dev.hybrid.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tuner, assessor or advisor section: a registered name and its {@code classArgs}.
 *
 * @param name the registered name ({@code builtinTunerName}/{@code name}), e.g. {@code TPE}
 * @param classArgs the arguments as plain JDK values (strings, numbers, booleans, lists, maps)
 * @param path where the section is, e.g. {@code tuner}; class-argument problems are reported under
 *     {@code <path>.classArgs}
 * @param includeIntermediateResults NNI's tuner option: a trial stopped early gives the tuner its last intermediate
 *     result as its final one
 */
public record AlgorithmConfig(String name, Map<String, Object> classArgs, FieldPath path,
        boolean includeIntermediateResults) {
    public AlgorithmConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        classArgs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classArgs));
    }

    /** An algorithm configured in code, reported under {@code path}. */
    public static AlgorithmConfig of(String name, Map<String, ?> classArgs, String path) {
        return new AlgorithmConfig(name, new LinkedHashMap<>(classArgs), FieldPath.of(path), false);
    }

    /** The path of the class arguments. */
    public FieldPath classArgsPath() {
        return path.child("classArgs");
    }
}
