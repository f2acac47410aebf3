package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;

/** Registers {@link GridSearchTuner} as {@code GridSearch}. It takes no classArgs: any key is an error. */
public final class GridSearchTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "GridSearch";
    }

    @Override
    public Tuner create(ConfigNode classArgs, TunerContext context) {
        classArgs.rejectUnknownKeys();
        return new GridSearchTuner();
    }
}
