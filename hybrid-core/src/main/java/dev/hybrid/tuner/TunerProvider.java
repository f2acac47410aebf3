package dev.hybrid.tuner;

import dev.hybrid.config.ConfigNode;

/**
 * Creates a tuner from its NNI name and {@code classArgs}. Found through {@link java.util.ServiceLoader}; list
 * implementations in {@code META-INF/services/dev.hybrid.tuner.TunerProvider}.
 */
public interface TunerProvider {

    /** The NNI {@code builtinTunerName}, e.g. {@code "TPE"}: unique and case-sensitive. */
    String name();

    /**
     * Creates the tuner. Reads {@code classArgs} through the node's typed getters, which record bad values as
     * problems at {@code tuner.classArgs.<key>}, and calls {@link ConfigNode#rejectUnknownKeys()}. The caller throws
     * the collected problems; an implementation may return a tuner built from defaults when there were problems.
     */
    Tuner create(ConfigNode classArgs, TunerContext context);

    /**
     * The direction the tuner optimises when {@code classArgs} set no {@code optimize_mode}: NNI's default for this
     * tuner (most tuners maximise; NNI's TPE minimises). The experiment ranks trials the same way.
     */
    default OptimizeMode defaultOptimizeMode() {
        return OptimizeMode.MAXIMIZE;
    }

    /**
     * Whether NNI lists this algorithm as an advisor ({@code Hyperband}, {@code BOHB}): one that also decides each
     * trial's budget. A config names an advisor under {@code advisor:} and a tuner under {@code tuner:}; the default is
     * false.
     */
    default boolean isAdvisor() {
        return false;
    }
}
