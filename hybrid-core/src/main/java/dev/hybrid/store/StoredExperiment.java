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

    /**
     * The {@code maxTrialNum} the experiment runs with (or last ran with), as its settings keep it: steering changes
     * it there. Empty when unlimited (or not recorded).
     */
    public Optional<Integer> maxTrialNumber() {
        return setting("maxTrialNumber").filter(com.fasterxml.jackson.databind.JsonNode::canConvertToInt)
                .map(com.fasterxml.jackson.databind.JsonNode::intValue);
    }

    /** The {@code maxExecDuration} the experiment runs with, as {@link #maxTrialNumber()}; empty when unlimited. */
    public Optional<Duration> maxExecDuration() {
        return setting("maxExecDuration").filter(com.fasterxml.jackson.databind.JsonNode::isTextual).flatMap(n -> {
            try {
                return Optional.of(Duration.parse(n.textValue()));
            } catch (java.time.format.DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /** The {@code trialConcurrency} the experiment runs with, as {@link #maxTrialNumber()}; empty if not recorded. */
    public Optional<Integer> trialConcurrency() {
        return setting("trialConcurrency").filter(com.fasterxml.jackson.databind.JsonNode::canConvertToInt)
                .map(com.fasterxml.jackson.databind.JsonNode::intValue);
    }

    private Optional<com.fasterxml.jackson.databind.JsonNode> setting(String key) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = dev.hybrid.internal.json.Json.readTree(configJson).get(key);
            return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Optional.empty();
        }
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
