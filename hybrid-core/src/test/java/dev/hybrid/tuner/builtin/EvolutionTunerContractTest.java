package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.util.Map;

/** Evolution, built by its provider with a small population so that mutations start early, under the contract. */
class EvolutionTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        Problems problems = new Problems();
        Tuner t = new EvolutionTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "maximize",
                "population_size", 8), FieldPath.of("tuner.classArgs"), problems), context);
        problems.throwIfAny();
        return t;
    }
}
