package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.AssessorProvider;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;

/**
 * Registers {@link MedianstopAssessor} as {@code Medianstop}. classArgs, as NNI's: {@code optimize_mode}
 * ({@code maximize} or {@code minimize}, default {@code maximize}) and {@code start_step} (an integer in 0..9999,
 * default 0); any other key is an error.
 */
public final class MedianstopAssessorProvider implements AssessorProvider {

    @Override
    public String name() {
        return "Medianstop";
    }

    @Override
    public Assessor create(ConfigNode classArgs) {
        OptimizeMode mode = classArgs.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MAXIMIZE);
        int startStep = classArgs.intIn("start_step", 0, 0, 9999);
        classArgs.rejectUnknownKeys();
        return new MedianstopAssessor(mode, startStep);
    }
}
