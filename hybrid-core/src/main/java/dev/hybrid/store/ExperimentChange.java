package dev.hybrid.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One change made to a running experiment by a steering request, as its store keeps the history: a limit
 * ({@code maxTrialNumber}, {@code maxExecDuration}, {@code trialConcurrency}), its {@code status} (a stop) or a trial
 * ({@code trial <id>}, cancelled).
 *
 * @param at when the experiment applied it
 * @param field what changed, in NNI's spelling for the limits
 * @param oldValue the value before; {@code ""} for an unlimited limit
 * @param newValue the value after
 * @param source who asked: {@code "api"}, {@code "dashboard"}, {@code "cli"}, ...
 */
public record ExperimentChange(Instant at, String field, String oldValue, String newValue, String source) {
    public ExperimentChange {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(oldValue, "oldValue");
        Objects.requireNonNull(newValue, "newValue");
        Objects.requireNonNull(source, "source");
    }
}
