package dev.hybrid.tuner.builtin;

import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;

class GridSearchTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new GridSearchTuner();
    }

    @Override
    protected boolean endsWhenSpaceIsExhausted() {
        return true;
    }
}
