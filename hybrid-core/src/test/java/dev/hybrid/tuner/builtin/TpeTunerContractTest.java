package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.util.Map;

/** TPE, built by its provider with NNI's defaults, under the contract every tuner passes. */
class TpeTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        Problems problems = new Problems();
        Tuner t = new TpeTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "maximize"),
                FieldPath.of("tuner.classArgs"), problems), context);
        problems.throwIfAny();
        return t;
    }
}
