package dev.hybrid.tuner;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.util.Optional;

/**
 * Proposes hyperparameters and learns from results.
 *
 * <p>Lifecycle: {@link #onStart} once, {@link #updateSearchSpace} once (and again if the space changes), then any
 * interleaving of
 * {@link #suggest}, {@link #onResult} and {@link #onTrialEnd}. Called only from the experiment thread, so an
 * implementation need not be thread-safe. A tuner's behaviour depends only on the space, the results and the seeded
 * random generator of its {@link TunerContext}: it does no I/O, starts no threads and never reads the clock.
 *
 * <p>A result may arrive after its trial's {@code onTrialEnd} (a final metric read after the process exited); a
 * tuner must still credit it. Results and ends for trial ids it never suggested are ignored.
 */
public interface Tuner {

    /**
     * The experiment is starting: {@code context} holds its seed and the direction it optimises. Called once, on the
     * experiment thread, before the first {@link #updateSearchSpace}. A tuner passed as an object learns the
     * experiment's {@link OptimizeMode} here. The default does nothing.
     */
    default void onStart(TunerContext context) {
    }

    /**
     * The direction this tuner was built to optimise, if it has one of its own (TPE does; Random and GridSearch do
     * not). An experiment given this tuner as an object ranks trials the same way, and refuses an
     * {@code optimizeMode} that contradicts it. The default is empty.
     */
    default Optional<OptimizeMode> optimizeMode() {
        return Optional.empty();
    }

    /**
     * Sets the space to search.
     *
     * @throws UnsupportedSearchSpaceException naming the parameter and its {@code _type} if this tuner cannot
     *     search it
     */
    void updateSearchSpace(SearchSpace space);

    /** Proposes parameters for the trial {@code trial}, or says to wait ({@link Suggestion.Later}) or that it is done. */
    Suggestion suggest(TrialId trial);

    /**
     * The final result of a trial. {@code value} is the raw metric (not negated). An experiment passes finite values
     * only (a NaN or ±Infinity final result fails its trial: see {@link dev.hybrid.trial.Metric#finiteScalar()}), but
     * a tuner must still accept them from other callers.
     */
    void onResult(TrialId trial, Parameters parameters, double value);

    /** A trial ended, with or without a result. The default does nothing. */
    default void onTrialEnd(TrialId trial, TrialStatus status) {
    }
}
