package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.util.Map;
import java.util.Optional;

/**
 * BOHB, built by its provider, under the contract every tuner passes; {@code min_points_in_model} is low so that
 * the model, not only random draws, proposes within the contract's 120 trials.
 */
class BohbAdvisorContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return create(Map.of("optimize_mode", "maximize", "min_budget", 1, "max_budget", 9, "random_fraction", 0.2),
                context);
    }

    static Tuner create(Map<String, Object> classArgs, TunerContext context) {
        Problems problems = new Problems();
        Tuner t = new BohbAdvisorProvider().create(ConfigNode.of(classArgs, FieldPath.of("advisor.classArgs"),
                problems), context);
        problems.throwIfAny();
        return t;
    }

    @Override
    protected Optional<String> budgetParameter() {
        return Optional.of(BracketAdvisor.BUDGET_KEY);
    }
}
