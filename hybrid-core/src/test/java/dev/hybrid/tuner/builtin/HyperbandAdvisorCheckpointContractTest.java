package dev.hybrid.tuner.builtin;

import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;
import java.nio.file.Path;
import java.util.Set;

/** Hyperband with a checkpoint folder: every suggestion also names its two checkpoint folders (never created). */
class HyperbandAdvisorCheckpointContractTest extends HyperbandAdvisorContractTest {
    @Override
    protected Tuner newTuner(TunerContext context) {
        return new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.PARALLELISM,
                Path.of("/nonexistent/hyperband").toAbsolutePath(), context.random());
    }

    @Override
    protected Set<String> addedParameters() {
        return Set.of(BracketAdvisor.LOAD_CHECKPOINT_DIR, BracketAdvisor.SAVE_CHECKPOINT_DIR);
    }
}
