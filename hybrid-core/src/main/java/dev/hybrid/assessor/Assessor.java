package dev.hybrid.assessor;

import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.util.List;

/**
 * Decides from a trial's intermediate results whether to stop it early (NNI's assessors: Medianstop,
 * Curvefitting). Called only from the experiment thread, after each intermediate result; a {@link Verdict#BAD}
 * verdict cancels the trial, which ends {@code EARLY_STOPPED}.
 */
public interface Assessor {

    /** Judges a running trial from all its intermediate results so far (in sequence order). */
    Verdict assess(TrialId trial, List<Double> intermediateResults);

    /** A trial ended; its results are final. The default does nothing. */
    default void onTrialEnd(TrialId trial, TrialStatus status) {
    }
}
