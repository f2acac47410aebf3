package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;

/**
 * Registers {@link BatchTuner} as {@code BatchTuner} (NNI 2.0's name); {@link Batch} registers it as {@code Batch}
 * (NNI 2.6+'s). Like NNI, it takes no classArgs: every key is an error at its path.
 */
public class BatchTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "BatchTuner";
    }

    @Override
    public Tuner create(ConfigNode classArgs, TunerContext context) {
        classArgs.rejectUnknownKeys();
        return new BatchTuner();
    }

    /** The same tuner under NNI 2.6+'s name {@code Batch}. */
    public static final class Batch extends BatchTunerProvider {
        @Override
        public String name() {
            return "Batch";
        }
    }
}
