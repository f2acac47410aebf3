package dev.hybrid.trial;

import java.util.Map;

/**
 * How an in-process trial reports its results, as NNI's {@code nni.report_intermediate_result} and
 * {@code nni.report_final_result}. Thread-safe. Reports made after the trial ended (for example after it was
 * cancelled) are dropped.
 *
 * <p>A dict metric ({@code Map}) is written as JSON; the tuner sees its numeric {@code "default"} entry. A final
 * result without one fails the trial (not the experiment).
 */
public interface TrialReporter {

    /** The id of the running trial. */
    TrialId trialId();

    /** Reports an intermediate result; sequence numbers count from 0 in call order. */
    void reportIntermediate(double value);

    /**
     * Reports an intermediate dict result such as {@code {"default": 0.9, "loss": 0.1}}.
     *
     * @throws IllegalArgumentException if the map cannot be written as JSON
     */
    void reportIntermediate(Map<String, ?> value);

    /** Reports the final result, which the tuner learns from. Report it once. */
    void reportFinal(double value);

    /**
     * Reports the final dict result; its numeric {@code "default"} entry is what the tuner learns from.
     *
     * @throws IllegalArgumentException if the map cannot be written as JSON
     */
    void reportFinal(Map<String, ?> value);

    /** Whether the trial was cancelled; a trial should then return (or throw) soon. */
    boolean isCancelled();
}
