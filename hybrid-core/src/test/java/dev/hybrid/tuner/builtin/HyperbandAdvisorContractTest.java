package dev.hybrid.tuner.builtin;

import dev.hybrid.testkit.TunerContract;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** Hyperband in both exec modes under the contract every tuner passes, its budget checked apart from the space. */
class HyperbandAdvisorContractTest {

    static class Parallelism extends TunerContract {
        @Override
        protected Tuner newTuner(TunerContext context) {
            return new HyperbandAdvisor(OptimizeMode.MAXIMIZE, 9, 3, ExecMode.PARALLELISM, context.random());
        }

        @Override
        protected Optional<String> budgetParameter() {
            return Optional.of(BracketAdvisor.BUDGET_KEY);
        }
    }

    /** Serial mode answers Later while a rung runs; the contract then finishes pending trials. */
    static class Serial extends Parallelism {
        @Override
        protected Tuner newTuner(TunerContext context) {
            return new HyperbandAdvisor(OptimizeMode.MINIMIZE, 27, 3, ExecMode.SERIAL, context.random());
        }

        @Override
        protected boolean waitsForPendingTrials() {
            return true;
        }
    }

    /** With {@code all_checkpoint_dir}, every suggestion also names its two checkpoint folders (never created). */
    static class WithCheckpoints extends Parallelism {
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
}
