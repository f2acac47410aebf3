package dev.hybrid.tuner.builtin;

import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;
import java.util.Optional;

/**
 * Hyperband (exec_mode parallelism) under the contract every tuner passes, its budget checked apart from the space;
 * {@link HyperbandAdvisorSerialContractTest} and {@link HyperbandAdvisorCheckpointContractTest} run the variants.
 */
class HyperbandAdvisorContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.PARALLELISM, context.random());
    }

    @Override
    protected Optional<String> budgetParameter() {
        return Optional.of(BracketAdvisor.BUDGET_KEY);
    }
}
