package com.example.tuning;

import dev.hybrid.space.SearchSpace;
import dev.hybrid.testkit.TestSpaces;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.util.List;

/** The test kit's contract, run on this project's tuner. */
class HillClimbTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new HillClimbTuner();
    }

    /** Every kind but uniform; the contract feeds the other tests only uniform parameters. */
    @Override
    protected List<UnsupportedCase> unsupportedSpaces() {
        return TestSpaces.singleKinds().entrySet().stream()
                .filter(e -> !e.getKey().equals("uniform"))
                .map(e -> new UnsupportedCase(e.getValue(), "p"))
                .toList();
    }
}
