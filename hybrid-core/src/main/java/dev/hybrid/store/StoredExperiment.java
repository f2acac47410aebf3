package dev.hybrid.store;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored row of one experiment.
 *
 * @param id the experiment id
 * @param name the experiment's name, if it has one
 * @param configJson the full settings as JSON, as {@code Experiment.resume} reads them back
 * @param optimizeMode whether larger or smaller final values are better
 * @param status the last status recorded
 * @param started when it first started
 * @param ended when it last ended, empty while it runs or if it never ended cleanly
 * @param elapsed the running time spent over every run so far, which {@code maxExecDuration} counts
 * @param revision how many times the row was written; every save adds one
 */
public record StoredExperiment(
        String id,
        Optional<String> name,
        String configJson,
        OptimizeMode optimizeMode,
        ExperimentStatus status,
        Optional<Instant> started,
        Optional<Instant> ended,
        Duration elapsed,
        long revision) {

    public StoredExperiment {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configJson, "configJson");
        Objects.requireNonNull(optimizeMode, "optimizeMode");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** A copy with a new status, end and elapsed time. */
    public StoredExperiment withProgress(ExperimentStatus newStatus, Optional<Instant> newEnded,
            Duration newElapsed) {
        return new StoredExperiment(id, name, configJson, optimizeMode, newStatus, started, newEnded, newElapsed,
                revision);
    }

    /** A copy with new settings JSON, as a resume with a changed config records it. */
    public StoredExperiment withConfigJson(String newConfigJson) {
        return new StoredExperiment(id, name, newConfigJson, optimizeMode, status, started, ended, elapsed,
                revision);
    }
}
