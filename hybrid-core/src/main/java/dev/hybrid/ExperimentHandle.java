package dev.hybrid;

import dev.hybrid.internal.ExperimentLoop;
import dev.hybrid.store.ControlRequest;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A started experiment, as {@link Experiment#start()} returns it: wait for it, stop or steer it (cancel a trial, change
 * its limits), and read its trials while it runs or after it ended. Thread-safe; every method may be called from any thread (but not from a listener, which
 * runs on the experiment thread, for {@link #awaitCompletion}).
 */
public final class ExperimentHandle {
    /** The source recorded for changes made through this handle. */
    private static final String SOURCE = "api";

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
     * once the experiment has ended. Idempotent. The store's history of changes records it (status {@code STOPPING},
     * source {@code "api"}) as it records a stop from the dashboard, once the experiment thread takes it.
     */
    public void stop() {
        loop.steer(new ControlRequest.Stop(), SOURCE);
    }

    /**
     * Cancels one trial, as NNI's web UI does: the platform cancels it, it ends {@code USER_CANCELED} with the message
     * "cancelled by api", and the experiment goes on (the trial counts against {@code maxTrialNum}, as in NNI).
     * Returns at once; the experiment thread applies it. A no-op if the trial has already ended.
     *
     * @throws IllegalArgumentException if the experiment has no such trial
     */
    public void cancelTrial(TrialId id) {
        Objects.requireNonNull(id, "id");
        loop.steer(new ControlRequest.CancelTrial(id), SOURCE);
    }

    /**
     * Changes {@code maxTrialNum} while the experiment runs, as {@code nnictl update trialnum} does. Returns at once;
     * the experiment thread applies it, records it in the store (a resume continues with it) and, if the experiment
     * had submitted its former maximum but still runs trials, goes on submitting up to the new one. Lowering it to
     * the trials already submitted lets the running ones finish and submits no more.
     *
     * @throws IllegalArgumentException if {@code n < 1} or below the trials already submitted
     * @throws IllegalStateException if the experiment has ended (resume it to continue)
     */
    public void setMaxTrialNumber(int n) {
        loop.steer(new ControlRequest.SetMaxTrialNumber(n), SOURCE);
    }

    /**
     * Changes {@code maxExecDuration} while the experiment runs, as {@code nnictl update duration} does. It counts
     * from the experiment's first start, over every run: a duration already spent ends submissions now (running trials
     * get the deadline grace), a longer one lets an experiment that had reached its deadline submit again. Returns
     * at once; the experiment thread applies and records it.
     *
     * @throws IllegalArgumentException if {@code d} is zero or negative
     * @throws IllegalStateException if the experiment has ended (resume it to continue)
     */
    public void setMaxExecDuration(Duration d) {
        Objects.requireNonNull(d, "d");
        loop.steer(new ControlRequest.SetMaxExecDuration(d), SOURCE);
    }

    /**
     * Changes {@code trialConcurrency} while the experiment runs, as {@code nnictl update concurrency} does. Lowering
     * it cancels no trial; fewer start until the running ones are below it. A platform the experiment built from its
     * configuration follows the new value; a platform passed to the builder keeps its own slots. Returns at once; the
     * experiment thread applies and records it.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws IllegalStateException if the experiment has ended (resume it to continue)
     */
    public void setTrialConcurrency(int n) {
        loop.steer(new ControlRequest.SetTrialConcurrency(n), SOURCE);
    }

    /**
     * Applies any steering request, recording {@code source} (e.g. {@code "dashboard"}) as who made it; the methods
     * above record {@code "api"}. A {@link ControlRequest.Stop} is {@link #stop()}.
     *
     * @throws IllegalArgumentException as the method for that request does
     * @throws IllegalStateException as the method for that request does
     */
    public void control(ControlRequest request, String source) {
        Objects.requireNonNull(request, "request");
        if (Objects.requireNonNull(source, "source").isBlank()) {
            throw new IllegalArgumentException("source must not be blank");
        }
        loop.steer(request, source);
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
