package dev.hybrid.tuner.builtin;

import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.GpTuner.Settings;
import dev.hybrid.tuner.builtin.GpTuner.Utility;

/**
 * GPTuner under the contract every tuner passes. The contract asks for 120 suggestions per run, thousands in all, and
 * a GP's fit costs O(n³) in the results it models: this one models at most 12 (the best 6 and the most recent), so
 * that the cap is exercised too, and searches the acquisition function with fewer points than the default.
 */
class GpTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        Settings settings = new Settings(OptimizeMode.MAXIMIZE, Utility.EI, 5.0, 0.0, 2.5, 1e-6, 5, 40, 2);
        return new GpTuner(settings, context.random(), 12);
    }
}
