package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.testkit.TestSpaces;
import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PBT, built by its provider with a small population so that many generations pass, under the contract. It proposes
 * in generations and adds the two checkpoint folders to every suggestion; nested choices (and so, in the contract's
 * spaces, every choice) are left out. The folders are only named, never created.
 */
class PbtTunerContractTest extends TunerContract {
    @Override
    protected Tuner newTuner(TunerContext context) {
        Problems problems = new Problems();
        Tuner t = new PbtTunerProvider().create(ConfigNode.of(Map.of("optimize_mode", "maximize",
                "population_size", 4, "all_checkpoint_dir", Path.of("/nonexistent/pbt").toAbsolutePath().toString()),
                FieldPath.of("tuner.classArgs"), problems), context);
        problems.throwIfAny();
        return t;
    }

    @Override
    protected boolean proposesInGenerations() {
        return true;
    }

    @Override
    protected Set<String> addedParameters() {
        return Set.of(PbtTuner.LOAD_CHECKPOINT_DIR, PbtTuner.SAVE_CHECKPOINT_DIR);
    }

    @Override
    protected List<UnsupportedCase> unsupportedSpaces() {
        return List.of(new UnsupportedCase(TestSpaces.nestedTwoLevels(), "model"));
    }
}
