package dev.hybrid;

import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of an experiment's progress: its status, how many trials are in each status, the best trial so far and
 * why it failed, if it did.
 *
 * @param trialCounts the number of trials in each status; statuses no trial has are absent
 * @param elapsed the time from start to end (or to now, while it runs)
 * @param failure the message of the cause when the status is {@code ERROR}
 * @param maxTrialNumber the {@code maxTrialNum} in force now (a steering request may have changed it); empty when
 *     unlimited
 * @param maxExecDuration the {@code maxExecDuration} in force now; empty when unlimited
 * @param trialConcurrency the {@code trialConcurrency} in force now
 */
public record ExperimentSummary(
        String experimentId,
        Optional<String> name,
        ExperimentStatus status,
        int trialCount,
        Map<TrialStatus, Integer> trialCounts,
        Optional<Trial> bestTrial,
        Optional<Instant> started,
        Optional<Instant> ended,
        Duration elapsed,
        Optional<String> failure,
        Optional<Integer> maxTrialNumber,
        Optional<Duration> maxExecDuration,
        int trialConcurrency) {

    public ExperimentSummary {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        trialCounts = Map.copyOf(trialCounts);
        Objects.requireNonNull(bestTrial, "bestTrial");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(maxTrialNumber, "maxTrialNumber");
        Objects.requireNonNull(maxExecDuration, "maxExecDuration");
    }

    /** The number of trials in {@code status}. */
    public int count(TrialStatus status) {
        return trialCounts.getOrDefault(status, 0);
    }
}
