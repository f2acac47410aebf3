package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;

/**
 * Registers {@link EvolutionTuner} as NNI's {@code Evolution}. classArgs, as NNI accepts them:
 * {@code optimize_mode} ({@code maximize} by default) and {@code population_size} (an integer of at least 2, default
 * 32); any other key is an error at its path.
 */
public final class EvolutionTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "Evolution";
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        int population = args.intIn("population_size", 32, 2, 1_000_000);
        args.rejectUnknownKeys();
        return new EvolutionTuner(mode, population, context.random());
    }
}
