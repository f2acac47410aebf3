package dev.hybrid.tuner.builtin;

import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;

/** Hyperband in serial mode answers Later while a rung runs; the contract then finishes pending trials. */
class HyperbandAdvisorSerialContractTest extends HyperbandAdvisorContractTest {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new HyperbandAdvisor(OptimizeMode.MINIMIZE, 27, 3, ExecMode.SERIAL, context.random());
    }

    @Override
    protected boolean waitsForPendingTrials() {
        return true;
    }
}
