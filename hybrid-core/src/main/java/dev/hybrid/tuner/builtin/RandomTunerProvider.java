package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;

/**
 * Registers {@link RandomTuner} as {@code Random}. classArgs: {@code seed} (optional integer, defaults to the
 * experiment's seed) and {@code optimize_mode}, which is checked but, as in NNI, has no effect; any other key is an
 * error.
 */
public final class RandomTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "Random";
    }

    @Override
    public Tuner create(ConfigNode classArgs, TunerContext context) {
        var seed = classArgs.optionalLong("seed");
        classArgs.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MAXIMIZE);
        classArgs.rejectUnknownKeys();
        return new RandomTuner(context.random(seed));
    }
}
