package dev.hybrid.trial;

import dev.hybrid.space.Parameters;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable snapshot of one trial: what it ran with, where, when, how it ended, and every metric it reported.
 *
 * @param platform the name of the platform that ran it ({@code local}, {@code in-process}, ...)
 * @param intermediate the PERIODICAL metrics, in the order they were reported (not sorted by their sequence)
 * @param finalMetric the FINAL metric, if the trial reported one
 * @param finalValue the final metric's scalar value as the tuner saw it, if it had a valid one: always finite
 * @param machine the {@code host:port} of the machine that ran the attempt shown, where the platform knows one
 *     (remote)
 */
public record Trial(
        TrialId id,
        int sequence,
        long parameterId,
        Parameters parameters,
        TrialStatus status,
        String platform,
        Instant submitted,
        Optional<Instant> started,
        Optional<Instant> ended,
        Optional<Integer> exitCode,
        String message,
        List<Metric> intermediate,
        Optional<Metric> finalMetric,
        Optional<Double> finalValue,
        Optional<String> machine) {

    public Trial {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(submitted, "submitted");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(message, "message");
        intermediate = List.copyOf(intermediate);
        Objects.requireNonNull(finalMetric, "finalMetric");
        Objects.requireNonNull(finalValue, "finalValue");
        Objects.requireNonNull(machine, "machine");
    }

    /** A trial whose platform names no machine. */
    public Trial(TrialId id, int sequence, long parameterId, Parameters parameters, TrialStatus status,
            String platform, Instant submitted, Optional<Instant> started, Optional<Instant> ended,
            Optional<Integer> exitCode, String message, List<Metric> intermediate, Optional<Metric> finalMetric,
            Optional<Double> finalValue) {
        this(id, sequence, parameterId, parameters, status, platform, submitted, started, ended, exitCode, message,
                intermediate, finalMetric, finalValue, Optional.empty());
    }

    public boolean isFinished() {
        return status.isFinished();
    }
}
