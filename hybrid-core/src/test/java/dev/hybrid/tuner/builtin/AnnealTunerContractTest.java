package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.util.Map;

/** Anneal, built by its provider with a liar for pending trials, under the contract. */
class AnnealTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        Problems problems = new Problems();
        Tuner t = new AnnealTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "maximize",
                "parallel_optimize", true), FieldPath.of("tuner.classArgs"), problems), context);
        problems.throwIfAny();
        return t;
    }
}
