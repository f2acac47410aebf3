package dev.hybrid.trial;

import dev.hybrid.space.Parameters;

/**
 * A trial that runs inside this JVM, on a thread of the in-process platform ({@code hybrid-trial-<n>}): the Java
 * counterpart of an NNI trial script. It reads its parameters, reports metrics through the reporter and returns.
 *
 * <p>Returning normally ends the trial {@code SUCCEEDED}; throwing ends it {@code FAILED} with the exception in the
 * message, and fails no other trial. When the trial is cancelled its thread is interrupted and
 * {@link TrialReporter#isCancelled()} turns true; a long computation should check one or the other.
 */
@FunctionalInterface
public interface TrialFunction {

    /**
     * Runs one trial.
     *
     * @throws Exception to fail this trial
     */
    void run(Parameters parameters, TrialReporter reporter) throws Exception;
}
