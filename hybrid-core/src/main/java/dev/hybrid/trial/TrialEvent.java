package dev.hybrid.trial;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a platform reports about a trial through its {@code TrialEventSink}: it still waits (and why), it started, it
 * reported a metric, it ended. For one trial a platform sends any number of {@code Waiting} before {@code Started},
 * then {@code Started}, then metrics in order, then exactly one {@code Ended} (a metric read after the process exited
 * may still follow {@code Ended}; it is credited).
 */
public sealed interface TrialEvent {
    /** The trial this event is about. */
    TrialId trial();

    /**
     * The trial has not started yet, because of {@code reason}: a scheduler's or service's own word for why its job
     * is queued ({@code Slurm job 12 pending: Resources}). The trial's message shows it while the trial waits; a later
     * {@code Waiting} replaces it and {@code Started} clears it. Platforms send it when the reason changes, not on
     * every poll; one that arrives after the trial started is ignored.
     */
    record Waiting(TrialId trial, String reason, Instant at) implements TrialEvent {
        public Waiting {
            Objects.requireNonNull(trial, "trial");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(at, "at");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("reason must not be blank");
            }
        }
    }

    /** The trial is running. */
    record Started(TrialId trial, Instant at) implements TrialEvent {
        public Started {
            Objects.requireNonNull(trial, "trial");
            Objects.requireNonNull(at, "at");
        }
    }

    /** The trial reported a metric. */
    record MetricReported(TrialId trial, Metric metric) implements TrialEvent {
        public MetricReported {
            Objects.requireNonNull(trial, "trial");
            Objects.requireNonNull(metric, "metric");
        }
    }

    /**
     * The trial ended with a finished status. {@code exitCode} is present for process trials; {@code message} says
     * why a trial failed (the exception, the last lines of stderr) and is empty otherwise.
     */
    record Ended(TrialId trial, TrialStatus status, Optional<Integer> exitCode, String message, Instant at)
            implements TrialEvent {
        public Ended {
            Objects.requireNonNull(trial, "trial");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(exitCode, "exitCode");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(at, "at");
            if (!status.isFinished()) {
                throw new IllegalArgumentException("an Ended event needs a finished status, was " + status);
            }
        }

        public static Ended of(TrialId trial, TrialStatus status, Instant at) {
            return new Ended(trial, status, Optional.empty(), "", at);
        }
    }
}
