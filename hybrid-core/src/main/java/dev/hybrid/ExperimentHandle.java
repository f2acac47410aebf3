package dev.hybrid;

import dev.hybrid.internal.ExperimentLoop;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A started experiment, as {@link Experiment#start()} returns it: wait for it, stop it, and read its trials while it
 * runs or after it ended. Thread-safe; every method may be called from any thread (but not from a listener, which
 * runs on the experiment thread, for {@link #awaitCompletion}).
 */
public final class ExperimentHandle {
    private final ExperimentLoop loop;
    private final String experimentId;

    ExperimentHandle(ExperimentLoop loop, String experimentId) {
        this.loop = loop;
        this.experimentId = experimentId;
    }

    /** The experiment's id. */
    public String experimentId() {
        return experimentId;
    }

    /**
     * Waits until the experiment has ended ({@code DONE}, {@code STOPPED} or {@code ERROR}) or the timeout passes.
     *
     * @return whether it has ended
     * @throws InterruptedException if this thread is interrupted while waiting
     */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return loop.awaitFinished(timeout);
    }

    /**
     * Asks the experiment to stop and returns at once: it submits no more trials, cancels the running ones (they end
     * {@code USER_CANCELED}) and then ends {@code STOPPED}; wait for that with {@link #awaitCompletion}. A no-op
     * once the experiment has ended. Idempotent.
     */
    public void stop() {
        loop.requestStop();
    }

    /** The current status. */
    public ExperimentStatus status() {
        return loop.status();
    }

    /** Whether the experiment has ended. */
    public boolean isFinished() {
        return loop.isFinished();
    }

    /** Why the experiment ended {@code ERROR}: the tuner's or the platform's exception. Empty otherwise. */
    public Optional<Throwable> failure() {
        return loop.failure();
    }

    /** Snapshots of every trial so far, in submission order. */
    public List<Trial> trials() {
        return loop.trials();
    }

    /** A snapshot of one trial, if the experiment has such a trial. */
    public Optional<Trial> trial(TrialId id) {
        Objects.requireNonNull(id, "id");
        return loop.trial(id);
    }

    /**
     * The trial with the best final value under the experiment's optimize mode, if any trial reported a usable one.
     * Only finite values count (a NaN or ±Infinity final result fails its trial); of equal values the earliest wins.
     */
    public Optional<Trial> bestTrial() {
        return loop.bestTrial();
    }

    /**
     * When trials still running after the experiment's {@code maxExecDuration} are cancelled: the deadline plus the
     * deadline grace. Empty until the deadline has passed (and always without a {@code maxExecDuration}).
     */
    public Optional<java.time.Instant> deadlineGraceEnd() {
        return loop.deadlineGraceEnd();
    }

    /** A snapshot of the experiment's progress. */
    public ExperimentSummary summary() {
        return loop.summary();
    }
}
