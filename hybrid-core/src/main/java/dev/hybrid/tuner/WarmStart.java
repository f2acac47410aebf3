package dev.hybrid.tuner;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;

/**
 * An optional capability of a {@link Tuner}: it can learn from results of trials it did not suggest itself. The
 * experiment thread feeds it, before the first {@code suggest}, the final results of a resumed experiment's
 * finished trials (as NNI replays them on resume) and NNI import data ({@code hybrid import}).
 *
 * <p>Tuners without this capability get a resumed experiment's history through {@link Tuner#onResult} and
 * {@link Tuner#onTrialEnd}, which they may ignore for trial ids they never suggested; import data is then skipped.
 */
public interface WarmStart {

    /**
     * A result obtained before this tuner was created.
     *
     * @param trial the trial's id (for import data, a made-up id no trial uses)
     * @param value the raw metric (not negated); it may be NaN or ±Infinity
     */
    void addPriorResult(TrialId trial, Parameters parameters, double value);

    /**
     * A resumed experiment's trial that has no result to learn from, fed before the first {@code suggest} with the
     * prior results: one that ended without a final result ({@code status} is then a finished status, and
     * {@link Tuner#onTrialEnd} follows), or one that runs again under the same id with the same parameters
     * ({@code status} is {@code WAITING}; its result and end later arrive through {@link Tuner#onResult} and
     * {@link Tuner#onTrialEnd}, as if this tuner had suggested it). The default ignores it: a tuner that learns only
     * from results loses nothing.
     */
    default void addPriorTrial(TrialId trial, Parameters parameters, TrialStatus status) {
    }
}
