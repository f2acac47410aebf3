package dev.hybrid;

import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;

/**
 * Receives what happens in an experiment, in the order it happens. Every method is called on the experiment thread
 * ({@code hybrid-experiment-<id>}), so an implementation must return quickly and must not block on the experiment
 * (for example by calling {@code awaitCompletion}). An exception thrown by a listener is logged and otherwise
 * ignored. Every method does nothing by default.
 */
public interface ExperimentListener {

    /** The experiment entered {@code status}. */
    default void onStatusChanged(ExperimentStatus status) {
    }

    /** A trial was recorded as {@code WAITING} and is being handed to the platform. */
    default void onTrialSubmitted(Trial trial) {
    }

    /**
     * The platform said why a submitted trial still waits to run (a scheduler's queue reason); {@code trial}'s
     * message holds it. Called again when the reason changes; {@link #onTrialStarted} follows once it runs.
     */
    default void onTrialWaiting(Trial trial) {
    }

    /** The platform reported that a trial is running. */
    default void onTrialStarted(Trial trial) {
    }

    /** A trial reported a metric (intermediate or final). */
    default void onMetric(TrialId trial, Metric metric) {
    }

    /** A trial ended; {@code trial} holds its final status, exit code, message and metrics. */
    default void onTrialEnded(Trial trial) {
    }
}
