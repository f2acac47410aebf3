package dev.hybrid.tuner.builtin;

import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** BOHB with {@code all_checkpoint_dir}: every suggestion also names its two checkpoint folders (never created). */
class BohbAdvisorCheckpointContractTest extends BohbAdvisorContractTest {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return create(Map.of("optimize_mode", "maximize", "min_budget", 1, "max_budget", 9, "random_fraction", 0.2,
                "all_checkpoint_dir", Path.of("/nonexistent/bohb").toAbsolutePath().toString()), context);
    }

    @Override
    protected Set<String> addedParameters() {
        return Set.of(BracketAdvisor.LOAD_CHECKPOINT_DIR, BracketAdvisor.SAVE_CHECKPOINT_DIR);
    }
}
