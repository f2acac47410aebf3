package dev.hybrid.assessor;

import dev.hybrid.config.ConfigNode;

/**
 * Creates an assessor from its NNI name ({@code builtinAssessorName} / {@code name}) and {@code classArgs}. Found
 * through {@link java.util.ServiceLoader} under {@code META-INF/services/dev.hybrid.assessor.AssessorProvider}.
 */
public interface AssessorProvider {

    /** The NNI name, e.g. {@code Medianstop}: unique and case-sensitive. */
    String name();

    /**
     * Creates the assessor, reading {@code classArgs} through the node's typed getters (problems recorded at
     * {@code assessor.classArgs.<key>}) and rejecting unknown keys.
     */
    Assessor create(ConfigNode classArgs);
}
