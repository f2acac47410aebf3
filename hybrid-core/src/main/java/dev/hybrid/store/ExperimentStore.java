package dev.hybrid.store;

import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where one experiment's state is kept: the experiment, its trials, their events and every metric, so that the
 * experiment can be listed, exported and resumed after its process died.
 *
 * <p>Lifecycle: {@link #open()}, then any reads and writes, then {@link #close()}. While an experiment runs, its
 * experiment thread is the only caller. Writes take effect at once for reads through the same store, and become
 * durable at the next {@link #commit()}; the experiment thread commits before it acts on what it recorded
 * (submits or cancels a trial), so a crash loses only events nothing was done about yet. Implementations need not
 * be thread-safe.
 *
 * <p>Writes about an unknown trial are ignored. Every intermediate metric recorded is kept, in the order it was
 * recorded, whatever its {@code sequence} (missing, repeated or out of order: trials that do not use NNI's SDK may
 * send any); an attempt's first final metric is kept and a later one is ignored, as the experiment ignores it.
 */
public interface ExperimentStore extends AutoCloseable {

    /**
     * Opens the store: creates or checks the schema and, for a writer, takes the experiment's lock. Idempotent.
     *
     * @throws StoreException if the store is missing (for an existing-only store), corrupt, locked or too new
     */
    void open();

    /** The experiment, once it was saved. */
    Optional<StoredExperiment> experiment();

    /**
     * Saves the experiment row (insert or replace); the stored revision becomes one more than before.
     *
     * @return the row as stored, with its new revision
     */
    StoredExperiment saveExperiment(StoredExperiment experiment);

    /**
     * Records a trial as {@code WAITING}: a new one (attempt 1) or a resubmission of a stored one with the same
     * parameters (a later attempt, whose metrics start afresh).
     */
    void trialSubmitted(TrialSpec spec, String platform, int attempt, Instant at);

    /** Records that a trial is running. */
    void trialStarted(TrialId trial, Instant at);

    /**
     * Records which platform runs a trial when a composite platform (hybrid mode) placed it on one of its children
     * after submission.
     */
    void trialPlaced(TrialId trial, String platform);

    /**
     * Records the machine ({@code host:port}) that runs a trial's current attempt, where its platform names one; a
     * later attempt starts with none.
     */
    void trialOnMachine(TrialId trial, String machine, Instant at);

    /** Records a trial's end (or a corrected end status, as for a bad final metric read after the trial ended). */
    void trialEnded(TrialId trial, TrialStatus status, Optional<Integer> exitCode, String message, Instant at);

    /**
     * Records a metric of a trial's current attempt, its value kept as the JSON text received, after the metrics
     * recorded before it.
     *
     * @param scalar the value the tuner saw, for a FINAL metric that had one
     */
    void metricReported(TrialId trial, Metric metric, Optional<Double> scalar);

    /** Adds import data for the tuner, kept after the data imported before. */
    void addImported(List<ImportedResult> results);

    /** Every imported result, in import order. */
    List<ImportedResult> imported();

    /** Makes every write so far durable. Cheap when there is nothing to commit. */
    void commit();

    /** Every trial in sequence order, with the metrics of its latest attempt. */
    List<StoredTrial> trials();

    /**
     * Trials in sequence order, optionally only those in {@code status}; with {@code withIntermediate} false, their
     * intermediate metrics are left out (the final one is always there).
     */
    List<StoredTrial> trials(Optional<TrialStatus> status, boolean withIntermediate);

    /**
     * The {@code n} trials with the best finite final values under {@code mode}, best first (ties: earliest first),
     * without their intermediate metrics.
     */
    List<StoredTrial> topTrials(int n, OptimizeMode mode);

    /** How many trials are in each status; statuses no trial has are absent. */
    Map<TrialStatus, Integer> trialCounts();

    /**
     * Records a change a steering request made to the running experiment (its limits, a stop, a cancelled trial),
     * after the changes recorded before it. Called by the experiment thread.
     */
    void changeRecorded(ExperimentChange change);

    /** Every change recorded, oldest first; empty for a database written before changes were recorded. */
    List<ExperimentChange> changes();

    /**
     * Whether a process runs the experiment right now (this one or another), so that a control request reaches it.
     * An experiment whose stored status is not finished but that no process runs was interrupted.
     */
    boolean isRunning();

    /** The process that runs the experiment right now, where the store can tell; empty when none does. */
    Optional<ExperimentOwner> runningOwner();

    /**
     * Asks the experiment to apply a steering request, from this process or another one (as {@code hybrid update}
     * and a dashboard serving an experiment another process runs do): the request is kept in the store, the running
     * experiment's thread looks for new requests about every half second, applies each once and records the outcome,
     * which {@link #controlResult} reads back. Thread-safe, unlike the other methods, and usable on a store opened
     * only for reading.
     *
     * @param experimentId the id of the experiment the caller means, checked against the stored one
     * @param source who asks, recorded with the request and with the changes it makes: {@code "cli"},
     *     {@code "dashboard"}, ...
     * @return the request's id, for {@link #controlResult}
     * @throws IllegalArgumentException if {@code experimentId} is not this store's experiment
     * @throws IllegalStateException if no process runs the experiment (resume it instead)
     */
    long requestControl(String experimentId, ControlRequest request, String source);

    /** As {@link #requestControl(String, ControlRequest, String)}, with the source {@code "api"}. */
    default long requestControl(String experimentId, ControlRequest request) {
        return requestControl(experimentId, request, "api");
    }

    /** A control request and its outcome so far; empty if this store has no request with that id. Thread-safe. */
    Optional<ControlResult> controlResult(long requestId);

    /** The control requests not handled yet, oldest first: what the experiment thread looks for. */
    List<ControlResult> pendingControls();

    /**
     * Records that the experiment handled a pending control request: applied it, or refused it for {@code refusal}.
     * A request already handled keeps its first outcome.
     */
    void controlHandled(long requestId, Optional<String> refusal, java.time.Instant at);

    /** Commits what is pending and releases the store (and a writer's lock). Idempotent. */
    @Override
    void close();

}
