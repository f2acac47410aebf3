package dev.hybrid.tuner;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;

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
}
