package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.AnnealTuner.Liar;
import java.util.Optional;

/**
 * Registers {@link AnnealTuner} as NNI's {@code Anneal}. classArgs, as NNI's hyperopt-based tuner accepts them:
 * {@code optimize_mode} ({@code minimize} by default, as in NNI), {@code parallel_optimize} (boolean, default false)
 * and {@code constant_liar_type} ({@code min}, {@code max} or {@code mean}, default {@code min}; used only with
 * {@code parallel_optimize}); any other key is an error at its path.
 */
public final class AnnealTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "Anneal";
    }

    /** NNI's hyperopt tuners minimise unless told otherwise. */
    @Override
    public OptimizeMode defaultOptimizeMode() {
        return OptimizeMode.MINIMIZE;
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        boolean parallel = args.bool("parallel_optimize", false);
        Liar liar = args.enumValue("constant_liar_type", Liar.class, Liar.MIN);
        args.rejectUnknownKeys();
        return new AnnealTuner(mode, parallel ? Optional.of(liar) : Optional.empty(), context.random());
    }
}
