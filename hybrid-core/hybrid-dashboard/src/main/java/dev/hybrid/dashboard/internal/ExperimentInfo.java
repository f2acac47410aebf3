package dev.hybrid.dashboard.internal;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The experiment as the dashboard's overview shows it.
 *
 * @param live whether a process runs it right now (this one or another)
 * @param elapsed the running time its budget counts, as last recorded
 * @param tuner the tuner's registered name, or its class's simple name
 */
public record ExperimentInfo(
        String id,
        Optional<String> name,
        ExperimentStatus status,
        boolean live,
        Optional<Instant> started,
        Optional<Instant> ended,
        Duration elapsed,
        OptimizeMode optimizeMode,
        Optional<Integer> maxTrialNumber,
        Optional<Duration> maxExecDuration,
        Optional<Integer> trialConcurrency,
        String tuner,
        Optional<String> failure) {
}
