package dev.hybrid.internal;

import dev.hybrid.ExperimentListener;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.HybridException;
import dev.hybrid.platform.PlatformAvailability;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialResumption;
import dev.hybrid.space.Parameters;
import dev.hybrid.store.ControlRequest;
import dev.hybrid.store.ExperimentStore;
import dev.hybrid.store.ImportedResult;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.tuner.WarmStart;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricFormatException;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The experiment loop: one thread, one inbox. Platform events, timer ticks and stop requests arrive as messages in
 * {@link #inbox}; the experiment thread handles each, then fills the free trial slots by asking the tuner. It is the
 * only thread that calls the tuner, the platform's {@code submit}/{@code cancel} and the listeners, and the only one
 * that writes trial records. User threads read those records under {@link #lock}.
 *
 * <p>Budgets follow NNI: once {@code maxTrialNum} trials were submitted or {@code maxExecDuration} has passed the
 * status is {@code NO_MORE_TRIAL}, and the status becomes {@code DONE} when the last running trial ends. Trials still
 * running at the {@code maxExecDuration} deadline may go on for the deadline grace; those still running after it are
 * cancelled ({@code USER_CANCELED}, with a message naming the limit). A trial running longer than
 * {@code maxTrialDuration} is cancelled and ends {@code EARLY_STOPPED} (as in NNI) with a message naming the limit.
 *
 * <p>Every event is written to the {@link ExperimentStore} as it is handled, and the store is committed once per
 * drained batch of messages and before any trial is submitted or cancelled, so a crash loses only events that
 * nothing was done about yet. A resumed experiment first reloads its stored trials: finished ones are replayed
 * into the tuner, unfinished ones run again as a new attempt with the same id and parameters.
 */
public final class ExperimentLoop implements Runnable {
    /** How long a stop waits for cancelled trials to report their end before recording them cancelled itself. */
    static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /** How often a resumed trial held for its earlier attempt is asked about again. */
    static final Duration HELD_RECHECK = Duration.ofSeconds(1);
    /** Submissions refused as retryable are retried this many times, with a doubling backoff from 1 s. */
    static final int MAX_SUBMIT_ATTEMPTS = 5;
    /** This many non-retryable submission failures in a row mean the platform is unusable: the experiment fails. */
    static final int MAX_CONSECUTIVE_SUBMIT_FAILURES = 5;

    /**
     * How often the loop looks for control requests that other processes left in the store ({@code hybrid update},
     * a dashboard serving this experiment from another process). Wall time, not the experiment's clock: a person
     * waits for the answer.
     */
    static final long CONTROL_POLL_NANOS = 500_000_000L;

    private static final Logger log = LoggerFactory.getLogger(ExperimentLoop.class);

    private enum Signal { DEADLINE, DEADLINE_GRACE_OVER, STOP, STOP_GRACE_OVER, RETRY, RECHECK }

    /** A steering request to apply on the experiment thread, from {@code source} ("api", "dashboard", "cli"). */
    private record Control(ControlRequest request, String source) {}

    /** A trial's {@code maxTrialDuration} has passed since it started (in its attempt {@code attempt}). */
    private record TrialTimeLimit(TrialId trial, int attempt) {}

    /** A tuner call threw; carries the cause out of the handling code to the loop. */
    private static final class TunerFailure extends RuntimeException {
        TunerFailure(TunerException cause) {
            super(cause);
        }
    }

    private final ExperimentSettings settings;
    private final Tuner tuner;
    /** Null when the experiment has no assessor, or after the assessor failed (it is then left out). */
    private dev.hybrid.assessor.Assessor assessor;
    private final TrainingPlatform platform;
    private final ExperimentStore store;
    private final ExperimentListener[] listeners;
    private final Clock clock;
    private final OptimizeMode mode;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final SplittableRandom idRandom = new SplittableRandom();
    private ScheduledExecutorService scheduler;

    /** Guards the trial records, {@link #counts} and {@link #best} against readers on other threads. */
    private final Object lock = new Object();
    private final List<TrialRecord> records;
    private final Map<TrialId, TrialRecord> byId;
    private final int[] counts = new int[TrialStatus.values().length];
    private TrialRecord best;

    private volatile ExperimentStatus status = ExperimentStatus.INITIALIZED;
    /** Guards the platform's start against a stop asked for meanwhile. */
    private final Object startLock = new Object();
    /** Guarded by {@code startLock}. */
    private boolean platformStarting;
    private boolean platformStarted;
    private boolean stopBeforeStart;
    private volatile Throwable failure;
    private volatile Instant startedAt;
    private volatile Instant endedAt;
    /** When trials still running after the deadline are cancelled; null until the deadline passes with some running. */
    private volatile Instant deadlineGraceEnd;
    /**
     * The limits in force: the settings' until a steering request changes them. Written by the experiment thread
     * only; volatile for {@link #summary()}. {@code maxExecDuration} is null when unlimited.
     */
    private volatile int maxTrialNumber;
    private volatile Duration maxExecDuration;
    private volatile int trialConcurrency;

    // Owned by the experiment thread only.
    private int live;
    private int submitted;
    private int nextSequence;
    /** The experiment's row as last saved, and the running time spent in earlier runs. */
    private StoredExperiment stored;
    private Duration elapsedBefore = Duration.ZERO;
    private Instant lastProgressSave;
    private Instant deadlineAt;
    private ScheduledFuture<?> deadlineTimer;
    /** When the store's control requests were last looked at ({@link System#nanoTime()}). */
    private long lastControlPoll;
    /** Before this run held the store: control requests made earlier were meant for an earlier run. */
    private Instant runStartedWall;
    private boolean controlPollFailed;
    private ScheduledFuture<?> deadlineGraceTimer;
    private boolean deadlinePassed;
    private boolean retryDue;
    private boolean heldRecheckScheduled;
    /** Trials of a resumed experiment wait in {@link #retries} to run again, as slots free up. */
    private boolean resubmitsPending;
    private boolean tunerUsable = true;
    private boolean warnedLaterWithNothingRunning;
    /** The tuner answered Later: ask again only once it has heard of a new result or trial end. */
    private boolean tunerWaiting;
    private int consecutiveSubmitFailures;
    private long retryBackoffMillis = 1000;
    private TrialId pendingId;
    private boolean capacityRecheckPending;
    private long capacityRecheckMillis;
    private final ArrayDeque<TrialRecord> retries = new ArrayDeque<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();

    public ExperimentLoop(ExperimentSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tuner = settings.tuner();
        this.assessor = settings.assessor().orElse(null);
        this.platform = settings.platform();
        this.store = settings.store();
        this.listeners = settings.listeners().toArray(new ExperimentListener[0]);
        this.clock = settings.clock();
        this.mode = settings.optimizeMode();
        this.maxTrialNumber = settings.maxTrialNumber();
        this.maxExecDuration = settings.maxExecDuration().orElse(null);
        this.trialConcurrency = settings.trialConcurrency();
        // Sized for the whole budget when it is known and modest, so that large runs do not rehash as they grow.
        int expected = Math.min(settings.maxTrialNumber(), 1 << 20);
        this.records = new ArrayList<>(Math.max(16, expected));
        this.byId = new HashMap<>(Math.max(16, (int) (expected / 0.75f) + 1));
    }

    /** Sets the scheduler for timers (deadline, stop grace, retries); called once before the thread starts. */
    public void useScheduler(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    // ---------------------------------------------------------------- API for other threads

    /** Asks the loop to stop: running trials are cancelled, then the status is {@code STOPPED}. Thread-safe. */
    public void requestStop() {
        inbox.add(Signal.STOP);
        boolean closeNow;
        synchronized (startLock) {
            closeNow = platformStarting && !stopBeforeStart;
            stopBeforeStart = stopBeforeStart || !platformStarted;
        }
        if (closeNow) {
            // The platform may be connecting to a host that does not answer: closing it ends that wait.
            log.info("Experiment {} stopped while its platform was starting; closing it", settings.experimentId());
            try {
                platform.close();
            } catch (RuntimeException e) {
                log.warn("Closing platform {} failed: {}", platform.name(), e.toString());
            }
        }
    }

    /**
     * Hands a steering request to the experiment thread and returns at once. Checks what can be checked from here:
     * a trial the experiment does not have, a limit change after the experiment ended, a {@code maxTrialNum} below the
     * trials already submitted. Thread-safe.
     *
     * @throws IllegalArgumentException if the trial is unknown or the new {@code maxTrialNum} is too low
     * @throws IllegalStateException if the request changes a limit and the experiment has ended
     */
    public void steer(ControlRequest request, String source) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(source, "source");
        if (request instanceof ControlRequest.Stop) {
            inbox.add(new Control(request, source)); // records who stopped it, once the loop runs
            requestStop();
            return;
        }
        if (request instanceof ControlRequest.CancelTrial cancel) {
            synchronized (lock) {
                if (!byId.containsKey(cancel.trial())) {
                    throw new IllegalArgumentException("experiment " + settings.experimentId() + " has no trial "
                            + cancel.trial());
                }
            }
        } else {
            if (isFinished()) {
                throw new IllegalStateException("experiment " + settings.experimentId() + " has ended " + status
                        + "; resume it to continue with a new " + request.kind());
            }
            if (request instanceof ControlRequest.SetMaxTrialNumber max) {
                int already;
                synchronized (lock) {
                    already = records.size();
                }
                if (max.value() < already) {
                    throw new IllegalArgumentException("maxTrialNumber must not be below the " + already
                            + " trials already submitted, was " + max.value());
                }
            }
        }
        inbox.add(new Control(request, source));
    }

    public ExperimentStatus status() {
        return status;
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isFinished() {
        return finished.getCount() == 0;
    }

    public List<Trial> trials() {
        synchronized (lock) {
            List<Trial> out = new ArrayList<>(records.size());
            for (TrialRecord r : records) {
                out.add(r.snapshot());
            }
            return List.copyOf(out);
        }
    }

    public Optional<Trial> trial(TrialId id) {
        synchronized (lock) {
            TrialRecord r = byId.get(id);
            return r == null ? Optional.empty() : Optional.of(r.snapshot());
        }
    }

    /** When trials still running after {@code maxExecDuration} will be cancelled; empty before the deadline. */
    public Optional<Instant> deadlineGraceEnd() {
        return Optional.ofNullable(deadlineGraceEnd);
    }

    public Optional<Trial> bestTrial() {
        synchronized (lock) {
            return best == null ? Optional.empty() : Optional.of(best.snapshot());
        }
    }

    public ExperimentSummary summary() {
        synchronized (lock) {
            Map<TrialStatus, Integer> byStatus = new EnumMap<>(TrialStatus.class);
            for (TrialStatus s : TrialStatus.values()) {
                if (counts[s.ordinal()] > 0) {
                    byStatus.put(s, counts[s.ordinal()]);
                }
            }
            Instant start = startedAt;
            Instant end = endedAt;
            Duration elapsed = start == null ? Duration.ZERO
                    : Duration.between(start, end != null ? end : clock.instant());
            Throwable f = failure;
            return new ExperimentSummary(settings.experimentId(), settings.name(), status, records.size(), byStatus,
                    best == null ? Optional.empty() : Optional.of(best.snapshot()), Optional.ofNullable(start),
                    Optional.ofNullable(end), elapsed, f == null ? Optional.empty() : Optional.of(String.valueOf(
                            f.getMessage() != null ? f.getMessage() : f.toString())),
                    maxTrialNumber == Integer.MAX_VALUE ? Optional.empty() : Optional.of(maxTrialNumber),
                    Optional.ofNullable(maxExecDuration), trialConcurrency);
        }
    }

    // ---------------------------------------------------------------- the experiment thread

    @Override
    public void run() {
        MDC.put("experiment", settings.experimentId());
        MDC.put("platform", platform.name());
        try {
            runLoop();
        } finally {
            MDC.remove("experiment");
            MDC.remove("platform");
        }
    }

    private void runLoop() {
        ExperimentStatus end;
        try {
            startedAt = clock.instant();
            log.info("Experiment {} starting: tuner {}, platform {}, trialConcurrency {}, maxTrialNum {}, "
                            + "maxExecDuration {}, seed {}", settings.experimentId(), tuner.getClass().getSimpleName(),
                    platform.name(), settings.trialConcurrency(),
                    settings.maxTrialNumber() == Integer.MAX_VALUE ? "unlimited" : settings.maxTrialNumber(),
                    settings.maxExecDuration().map(Duration::toString).orElse("unlimited"), settings.seed());
            // Wall time, to compare with the wall-clock times requesters give their control requests.
            runStartedWall = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            openStore();
            setStatus(ExperimentStatus.RUNNING);
            callTuner(() -> tuner.onStart(TunerContext.of(settings.seed(), settings.optimizeMode())
                    .withExperimentId(settings.experimentId())), "onStart");
            callTuner(() -> tuner.updateSearchSpace(settings.searchSpace()), "updateSearchSpace");
            if (settings.resume()) {
                restoreTrials();
            }
            replayImported();
            commitStore();
            if (!startPlatform()) {
                finish(ExperimentStatus.STOPPED);
                return;
            }
            if (maxExecDuration != null) {
                Duration left = maxExecDuration.minus(elapsedBefore);
                deadlineAt = startedAt.plus(left);
                if (left.isNegative() || left.isZero()) {
                    onDeadline();
                } else {
                    deadlineTimer = schedule(Signal.DEADLINE, left);
                }
            }
            end = loop();
        } catch (TunerFailure e) {
            failure = e.getCause();
            end = ExperimentStatus.ERROR;
        } catch (PlatformException | dev.hybrid.store.StoreException e) {
            failure = e;
            end = ExperimentStatus.ERROR;
        } catch (RuntimeException | Error e) {
            failure = new HybridException("experiment loop failed: " + e, e);
            end = ExperimentStatus.ERROR;
        } catch (InterruptedException e) {
            failure = new HybridException("experiment thread was interrupted", e);
            end = ExperimentStatus.ERROR;
        }
        finish(end);
    }

    /**
     * Starts the platform; false when a stop was asked for meanwhile ({@link #requestStop} closes a platform that is
     * still starting, so that a stop does not wait for a connection to time out).
     */
    private boolean startPlatform() {
        synchronized (startLock) {
            if (stopBeforeStart) {
                return false;
            }
            platformStarting = true;
        }
        try {
            platform.start(inbox::add);
        } catch (RuntimeException e) {
            synchronized (startLock) {
                platformStarting = false;
                if (stopBeforeStart) {
                    log.debug("The platform's start ended with the stop: {}", e.toString());
                    return false;
                }
            }
            throw e;
        }
        synchronized (startLock) {
            platformStarting = false;
            platformStarted = true;
            return !stopBeforeStart;
        }
    }

    /** Handles messages until the experiment ends; returns its final status. */
    private ExperimentStatus loop() throws InterruptedException {
        fillSlots();
        List<Object> batch = new ArrayList<>(256);
        lastControlPoll = System.nanoTime() - CONTROL_POLL_NANOS;
        while (true) {
            ExperimentStatus end = endStatus();
            if (end != null) {
                return end;
            }
            long wait = CONTROL_POLL_NANOS - (System.nanoTime() - lastControlPoll);
            Object first = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
            boolean worked = first != null;
            if (worked) {
                batch.add(first);
                inbox.drainTo(batch, 4096);
                for (int i = 0, n = batch.size(); i < n; i++) {
                    handle(batch.get(i));
                }
                batch.clear();
            }
            if (System.nanoTime() - lastControlPoll >= CONTROL_POLL_NANOS) {
                lastControlPoll = System.nanoTime();
                worked |= pollControls();
            }
            if (worked) {
                commitStore();
                fillSlots();
            }
        }
    }

    private void handle(Object message) {
        if (message instanceof TrialEvent e) {
            onTrialEvent(e);
        } else if (message instanceof Control c) {
            String refused = applyControl(c.request(), c.source());
            if (refused != null) {
                log.warn("Experiment {}: {} request from {} refused: {}", settings.experimentId(),
                        c.request().kind(), c.source(), refused);
            }
        } else if (message instanceof TrialTimeLimit limit) {
            onTrialTimeLimit(limit);
        } else if (message == Signal.DEADLINE) {
            onDeadline();
        } else if (message == Signal.DEADLINE_GRACE_OVER) {
            onDeadlineGraceOver();
        } else if (message == Signal.STOP) {
            beginStop();
        } else if (message == Signal.STOP_GRACE_OVER) {
            onStopGraceOver();
        } else if (message == Signal.RETRY) {
            retryDue = true;
            heldRecheckScheduled = false;
        } else if (message == Signal.RECHECK) {
            capacityRecheckPending = false;
        }
    }

    /** The status the experiment ends with now, or null while it goes on. */
    private ExperimentStatus endStatus() {
        if (live > 0) {
            return null;
        }
        ExperimentStatus s = status;
        if (s == ExperimentStatus.STOPPING) {
            return ExperimentStatus.STOPPED;
        }
        if (s == ExperimentStatus.NO_MORE_TRIAL || s == ExperimentStatus.TUNER_NO_MORE_TRIAL) {
            return ExperimentStatus.DONE;
        }
        return null;
    }

    // ---------------------------------------------------------------- filling slots

    private void fillSlots() {
        ExperimentStatus s = status;
        if (s == ExperimentStatus.STOPPING || s.isFinished()) {
            return;
        }
        if (retryDue || resubmitsPending) {
            retryDue = false;
            List<TrialRecord> held = new ArrayList<>();
            while (!retries.isEmpty() && platform.freeSlots() > 0) {
                TrialRecord r = retries.poll();
                if (mayStillBeAlive(r)) {
                    held.add(r);
                } else {
                    submitToPlatform(r);
                }
            }
            retries.addAll(held);
            if (!held.isEmpty() && !heldRecheckScheduled) {
                heldRecheckScheduled = true;
                schedule(Signal.RETRY, HELD_RECHECK);
            }
            resubmitsPending = resubmitsPending && !retries.isEmpty();
        }
        if (s != ExperimentStatus.RUNNING) {
            return;
        }
        int concurrency = trialConcurrency;
        int max = maxTrialNumber;
        while (true) {
            if (submitted >= max) {
                log.info("Experiment {} submitted its maxTrialNum of {} trials", settings.experimentId(), max);
                setStatus(ExperimentStatus.NO_MORE_TRIAL);
                return;
            }
            if (deadlineAt != null && !deadlinePassed && !clock.instant().isBefore(deadlineAt)) {
                onDeadline();
                return;
            }
            if (tunerWaiting || live >= concurrency) {
                return;
            }
            if (platform.freeSlots() <= 0) {
                if (live == 0 && platform instanceof PlatformAvailability a) {
                    Optional<String> why = a.unavailableReason();
                    if (why.isPresent()) {
                        throw new PlatformException(platform.name(), why.get(), false, null);
                    }
                }
                // Nothing may wake the loop when a platform gains room without a trial ending (a machine that comes
                // back, a hybrid child that has finished starting): look again later.
                recheckCapacityLater();
                return;
            }
            capacityRecheckMillis = 0;
            if (pendingId == null) {
                pendingId = newTrialId();
            }
            TrialId id = pendingId;
            Suggestion suggestion = callTuner(() -> tuner.suggest(id), "suggest");
            if (suggestion instanceof Suggestion.Next next) {
                pendingId = null;
                warnedLaterWithNothingRunning = false;
                submitNew(id, next.parameters());
                if (status != ExperimentStatus.RUNNING) {
                    return;
                }
            } else if (suggestion instanceof Suggestion.Done) {
                log.info("Tuner has no more trials; finishing the {} running", live);
                setStatus(ExperimentStatus.TUNER_NO_MORE_TRIAL);
                return;
            } else if (suggestion instanceof Suggestion.Later) {
                tunerWaiting = true;
                if (log.isDebugEnabled()) {
                    log.debug("Tuner asked to wait for more results before proposing trial {}", id);
                }
                if (live == 0 && !warnedLaterWithNothingRunning) {
                    // Nothing will change the tuner's mind but a stop or the deadline: say so once.
                    warnedLaterWithNothingRunning = true;
                    log.warn("Tuner asked to wait for results but no trial is running; waiting for stop() or the "
                            + "deadline");
                }
                return;
            } else {
                throw new TunerFailure(new TunerException("tuner " + tuner.getClass().getName()
                        + " returned no suggestion (null) for trial " + id));
            }
        }
    }

    /**
     * The platform has no free slot although none of our trials runs (machines busy with other work, children
     * unhealthy). No event will come to wake the loop, so look again later, backing off from 1 s to 30 s.
     */
    private void recheckCapacityLater() {
        if (capacityRecheckPending) {
            return;
        }
        if (capacityRecheckMillis == 0 && live == 0) {
            log.warn("Platform {} has no free slot and no trial of this experiment runs; checking again later",
                    platform.name());
        }
        capacityRecheckMillis = Math.min(Math.max(1000, capacityRecheckMillis * 2), 30_000);
        capacityRecheckPending = true;
        schedule(Signal.RECHECK, Duration.ofMillis(capacityRecheckMillis));
    }

    /**
     * Whether a trial to be run again on resume may still have a live earlier attempt where this run cannot see it
     * yet (a machine not reached since): it is then held, and asked about again after {@link #HELD_RECHECK}.
     */
    private boolean mayStillBeAlive(TrialRecord r) {
        if (r.resumedFrom == null || !(platform instanceof TrialResumption resumption)) {
            return false;
        }
        if (resumption.mayRunAgain(r.id(), r.resumedFrom)) {
            r.resumedFrom = null;
            return false;
        }
        if (!r.heldLogged) {
            r.heldLogged = true;
            withTrial(r.id(), () -> log.info("Trial {} waits to run again until its earlier attempt on {} is known "
                    + "to have ended (its machine is not reachable yet)", r.id(), r.resumedFrom));
        }
        return true;
    }

    private TrialId newTrialId() {
        while (true) {
            TrialId id = new TrialId(Ids.random(idRandom, 5));
            if (!byId.containsKey(id)) {
                return id;
            }
        }
    }

    private void submitNew(TrialId id, Parameters parameters) {
        submitted++;
        int sequence = nextSequence++;
        TrialSpec spec = new TrialSpec(id, sequence, sequence, parameters);
        TrialRecord r = new TrialRecord(spec, platform.name(), clock.instant());
        synchronized (lock) {
            records.add(r);
            byId.put(id, r);
            counts[TrialStatus.WAITING.ordinal()]++;
        }
        live++;
        store.trialSubmitted(spec, r.platform, r.attempt, r.submitted);
        if (log.isDebugEnabled()) {
            withTrial(id, () -> log.debug("Trial {} (#{}) submitted to {} with {}", id, sequence, platform.name(),
                    parameters));
        }
        if (listeners.length > 0) {
            Trial snapshot = snapshot(r);
            for (ExperimentListener l : listeners) {
                notify(l, "onTrialSubmitted", () -> l.onTrialSubmitted(snapshot));
            }
        }
        submitToPlatform(r);
    }

    private void submitToPlatform(TrialRecord r) {
        try {
            r.submitAttempts++;
            // The trial must be on record before it can run: a crash after this point resubmits it on resume.
            commitStore();
            platform.submit(r.spec);
            consecutiveSubmitFailures = 0;
            retryBackoffMillis = 1000;
        } catch (PlatformException e) {
            if (e.isRetryable() && r.submitAttempts < MAX_SUBMIT_ATTEMPTS) {
                withTrial(r.id(), () -> log.warn("Submitting trial {} failed (attempt {} of {}), will retry: {}",
                        r.id(), r.submitAttempts, MAX_SUBMIT_ATTEMPTS, e.getMessage()));
                retries.add(r);
                schedule(Signal.RETRY, Duration.ofMillis(retryBackoffMillis));
                retryBackoffMillis = Math.min(retryBackoffMillis * 2, 30_000);
                return;
            }
            endTrial(r, TrialStatus.FAILED, null, "submission failed: " + e.getMessage(), clock.instant());
            if (++consecutiveSubmitFailures >= MAX_CONSECUTIVE_SUBMIT_FAILURES) {
                throw new PlatformException(platform.name(), "gave up after " + consecutiveSubmitFailures
                        + " submissions in a row failed; last: " + e.getMessage(), false, e);
            }
        }
    }

    // ---------------------------------------------------------------- events

    private void onTrialEvent(TrialEvent event) {
        TrialRecord r = byId.get(event.trial());
        if (r == null) {
            log.warn("Ignoring an event for unknown trial {}: {}", event.trial(), event);
            return;
        }
        if (event instanceof TrialEvent.MetricReported m) {
            onMetric(r, m.metric());
        } else if (event instanceof TrialEvent.Ended e) {
            onEnded(r, e);
        } else if (event instanceof TrialEvent.Started s) {
            onStarted(r, s);
        } else if (event instanceof TrialEvent.Waiting w) {
            onWaiting(r, w);
        }
    }

    /** A trial not yet started says why it waits: its message shows the reason until it runs. */
    private void onWaiting(TrialRecord r, TrialEvent.Waiting w) {
        if (r.status != TrialStatus.WAITING || w.reason().equals(r.message)) {
            return;
        }
        synchronized (lock) {
            r.message = w.reason();
        }
        store.trialWaiting(r.id(), w.reason());
        withTrial(r.id(), () -> log.info("Trial {} waits: {}", r.id(), w.reason()));
        if (listeners.length > 0) {
            Trial snapshot = snapshot(r);
            for (ExperimentListener l : listeners) {
                notify(l, "onTrialWaiting", () -> l.onTrialWaiting(snapshot));
            }
        }
    }

    /**
     * A running trial started again on another platform: hybrid mode ran it again after its machine was lost. That is a
     * new attempt, recorded with its own platform and its own metrics (the lost attempt's stay in the store under
     * its attempt number); hybrid mode reruns only trials whose lost attempt reported no final result.
     */
    private void onRerunElsewhere(TrialRecord r, TrialEvent.Started s) {
        if (!(platform instanceof dev.hybrid.platform.TrialPlacement placement)) {
            return;
        }
        Optional<String> now = placement.platformOf(r.id());
        if (now.isEmpty() || now.get().equals(r.platform)) {
            return;
        }
        String lostOn = r.platform;
        synchronized (lock) {
            r.attempt++;
            r.platform = now.get();
            r.machine = null;
            r.started = s.at();
            r.intermediate = null;
            r.finalMetric = null;
            r.badFinal = null;
        }
        if (r.timeLimit != null) {
            r.timeLimit.cancel(false);
            r.timeLimit = null;
        }
        store.trialSubmitted(r.spec, r.platform, r.attempt, s.at());
        store.trialStarted(r.id(), s.at());
        recordMachine(r, s);
        withTrial(r.id(), () -> log.info("Trial {} runs again on {} as attempt {} (lost on {})", r.id(), r.platform,
                r.attempt, lostOn));
        settings.maxTrialDuration().ifPresent(limit ->
                r.timeLimit = schedule(new TrialTimeLimit(r.id(), r.attempt), limit));
    }

    /** Records the machine that runs the trial's current attempt, where the platform names one. */
    private void recordMachine(TrialRecord r, TrialEvent.Started s) {
        if (platform instanceof dev.hybrid.platform.TrialMachine machines) {
            machines.machineOf(r.id()).ifPresent(m -> {
                synchronized (lock) {
                    r.machine = m;
                }
                store.trialOnMachine(r.id(), m, s.at());
            });
        }
    }

    private void onStarted(TrialRecord r, TrialEvent.Started s) {
        if (r.status == TrialStatus.RUNNING) {
            onRerunElsewhere(r, s);
            return;
        }
        if (r.status != TrialStatus.WAITING) {
            return;
        }
        synchronized (lock) {
            setTrialStatus(r, TrialStatus.RUNNING);
            r.started = s.at();
            r.message = "";
            if (platform instanceof dev.hybrid.platform.TrialPlacement placement) {
                placement.platformOf(r.id()).ifPresent(name -> {
                    r.platform = name;
                    store.trialPlaced(r.id(), name);
                });
            }
        }
        store.trialStarted(r.id(), s.at());
        recordMachine(r, s);
        settings.maxTrialDuration().ifPresent(limit ->
                r.timeLimit = schedule(new TrialTimeLimit(r.id(), r.attempt), limit));
        if (log.isDebugEnabled()) {
            withTrial(r.id(), () -> log.debug("Trial {} started", r.id()));
        }
        if (listeners.length > 0) {
            Trial snapshot = snapshot(r);
            for (ExperimentListener l : listeners) {
                notify(l, "onTrialStarted", () -> l.onTrialStarted(snapshot));
            }
        }
    }

    private void onMetric(TrialRecord r, Metric metric) {
        if (metric.type() == MetricType.PERIODICAL) {
            synchronized (lock) {
                r.addIntermediate(metric);
            }
            store.metricReported(r.id(), metric, Optional.empty());
            if (log.isDebugEnabled()) {
                withTrial(r.id(), () -> log.debug("Trial {} intermediate #{}: {}", r.id(), metric.sequence(),
                        metric.value()));
            }
            notifyMetric(r, metric);
            assess(r);
            return;
        }
        if (r.finalMetric != null) {
            withTrial(r.id(), () -> log.warn("Ignoring a second final metric of trial {}: {}", r.id(),
                    metric.value()));
            return;
        }
        double value;
        try {
            // NaN and ±Infinity fail the trial like any other value that is not a result (see Metric.finiteScalar).
            value = metric.finiteScalar();
        } catch (MetricFormatException e) {
            String why = "bad final metric: " + e.getMessage();
            boolean failedNow = false;
            synchronized (lock) {
                r.finalMetric = metric;
                r.badFinal = why;
                if (r.status.isFinished() && r.status != TrialStatus.FAILED) {
                    // It came after the trial ended: the trial fails now, as it would have had it come earlier.
                    setTrialStatus(r, TrialStatus.FAILED);
                    r.message = why;
                    failedNow = true;
                }
            }
            store.metricReported(r.id(), metric, Optional.empty());
            if (failedNow) {
                store.trialEnded(r.id(), TrialStatus.FAILED, Optional.ofNullable(r.exitCode), why, r.ended);
            }
            withTrial(r.id(), () -> log.warn("Trial {} fails: {}", r.id(), why));
            notifyMetric(r, metric);
            return;
        }
        synchronized (lock) {
            r.finalMetric = metric;
            r.finalValue = value;
            r.hasFinalValue = true;
            if (best == null || mode.isBetter(value, best.finalValue)) {
                best = r;
            }
        }
        store.metricReported(r.id(), metric, Optional.of(value));
        if (log.isDebugEnabled()) {
            withTrial(r.id(), () -> log.debug("Trial {} final result {}", r.id(), metric.value()));
        }
        notifyMetric(r, metric);
        if (tunerUsable) {
            callTuner(() -> tuner.onResult(r.id(), r.parameters(), value), "onResult");
            tunerWaiting = false;
        }
    }

    /**
     * NNI's {@code includeIntermediateResults}: an early-stopped trial without a final result gives the tuner its last
     * intermediate one as if it were final.
     */
    private void giveTunerLastIntermediate(TrialRecord r) {
        if (!settings.includeIntermediateResults() || r.finalMetric != null || r.intermediate == null
                || r.intermediate.isEmpty() || !tunerUsable) {
            return;
        }
        double last;
        try {
            last = r.intermediate.get(r.intermediate.size() - 1).finiteScalar();
        } catch (MetricFormatException ex) {
            return;
        }
        callTuner(() -> tuner.onResult(r.id(), r.parameters(), last), "onResult");
        tunerWaiting = false;
    }

    /** Asks the assessor about a running trial after an intermediate result; a BAD verdict stops it early. */
    private void assess(TrialRecord r) {
        if (assessor == null || r.status != TrialStatus.RUNNING || r.earlyStopRequested
                || status == ExperimentStatus.STOPPING) {
            return;
        }
        List<Double> values = new ArrayList<>(r.intermediate.size());
        for (Metric m : r.intermediate) {
            try {
                values.add(m.scalar());
            } catch (MetricFormatException e) {
                return; // an intermediate result that is not a number cannot be judged
            }
        }
        dev.hybrid.assessor.Verdict verdict;
        try {
            verdict = assessor.assess(r.id(), List.copyOf(values));
        } catch (RuntimeException e) {
            log.error("Assessor {} failed; trials are no longer assessed in experiment {}",
                    assessor.getClass().getName(), settings.experimentId(), e);
            assessor = null;
            return;
        }
        if (verdict == dev.hybrid.assessor.Verdict.BAD) {
            r.earlyStopRequested = true;
            withTrial(r.id(), () -> log.info("Trial {} is stopped early by the assessor after {} intermediate "
                    + "results", r.id(), values.size()));
            commitStore();
            platform.cancel(r.id());
        }
    }

    private void notifyMetric(TrialRecord r, Metric metric) {
        for (ExperimentListener l : listeners) {
            notify(l, "onMetric", () -> l.onMetric(r.id(), metric));
        }
    }

    private void onEnded(TrialRecord r, TrialEvent.Ended e) {
        if (r.status.isFinished()) {
            if (log.isDebugEnabled()) {
                log.debug("Ignoring end of trial {} ({}): it had already ended {}", r.id(), e.status(), r.status);
            }
            return;
        }
        TrialStatus s = e.status();
        String message = e.message();
        if (r.badFinal != null && s == TrialStatus.SUCCEEDED) {
            s = TrialStatus.FAILED;
            message = r.badFinal;
        }
        boolean cancelled = s == TrialStatus.USER_CANCELED || s == TrialStatus.SYS_CANCELED
                || s == TrialStatus.EARLY_STOPPED;
        if (r.cancelledBy != null && cancelled) {
            s = TrialStatus.USER_CANCELED;
            message = r.cancelledBy;
        } else if (r.limitReached != null && cancelled) {
            s = r.limitStopsEarly ? TrialStatus.EARLY_STOPPED : TrialStatus.USER_CANCELED;
            message = r.limitReached;
            if (r.limitStopsEarly) {
                giveTunerLastIntermediate(r);
            }
        } else if (r.earlyStopRequested && (s == TrialStatus.USER_CANCELED || s == TrialStatus.SYS_CANCELED)) {
            s = TrialStatus.EARLY_STOPPED;
            message = "stopped early by the assessor";
            giveTunerLastIntermediate(r);
        }
        endTrial(r, s, e.exitCode().orElse(null), message, e.at());
    }

    /** Records a trial's end, frees its slot and tells the tuner and the listeners. */
    private void endTrial(TrialRecord r, TrialStatus s, Integer exitCode, String message, Instant at) {
        synchronized (lock) {
            setTrialStatus(r, s);
            r.exitCode = exitCode;
            r.message = message;
            r.ended = at;
        }
        store.trialEnded(r.id(), s, Optional.ofNullable(exitCode), message, at);
        live--;
        if (r.timeLimit != null) {
            r.timeLimit.cancel(false);
            r.timeLimit = null;
        }
        if (s == TrialStatus.FAILED) {
            withTrial(r.id(), () -> log.info("Trial {} ended FAILED{}: {}", r.id(),
                    exitCode == null ? "" : " (exit code " + exitCode + ")", message));
        } else if (s == TrialStatus.SUCCEEDED && !r.hasFinalValue) {
            // Otherwise silent: the tuner learns nothing from such a trial, and the user should know why.
            withTrial(r.id(), () -> log.info("Trial {} ended SUCCEEDED without reporting a final result, so the "
                    + "tuner learns nothing from it (report one with reporter.reportFinal(value), or "
                    + "nni.report_final_result(value) in Python)", r.id()));
        } else if (log.isDebugEnabled()) {
            withTrial(r.id(), () -> log.debug("Trial {} ended {}", r.id(), s));
        }
        if (tunerUsable) {
            callTuner(() -> tuner.onTrialEnd(r.id(), s), "onTrialEnd");
            tunerWaiting = false;
        }
        if (assessor != null) {
            try {
                assessor.onTrialEnd(r.id(), s);
            } catch (RuntimeException e) {
                log.error("Assessor {} failed in onTrialEnd; trials are no longer assessed",
                        assessor.getClass().getName(), e);
                assessor = null;
            }
        }
        if (listeners.length > 0) {
            Trial snapshot = snapshot(r);
            for (ExperimentListener l : listeners) {
                notify(l, "onTrialEnded", () -> l.onTrialEnded(snapshot));
            }
        }
    }

    private void setTrialStatus(TrialRecord r, TrialStatus s) {
        counts[r.status.ordinal()]--;
        counts[s.ordinal()]++;
        r.status = s;
    }

    // ---------------------------------------------------------------- budget, stop, end

    private void onDeadline() {
        if (deadlinePassed || deadlineAt == null || clock.instant().isBefore(deadlineAt)) {
            return; // a deadline signal from before maxExecDuration was raised
        }
        deadlinePassed = true;
        ExperimentStatus s = status;
        if (s == ExperimentStatus.STOPPING || s.isFinished()) {
            return;
        }
        Duration grace = settings.deadlineGrace();
        if (live > 0) {
            log.info("Experiment {} reached its maxExecDuration of {}; the {} running trials may finish within the "
                            + "deadline grace of {}, then they are cancelled", settings.experimentId(),
                    maxExecDuration, live, grace);
        } else {
            log.info("Experiment {} reached its maxExecDuration of {}", settings.experimentId(),
                    maxExecDuration);
        }
        if (s == ExperimentStatus.RUNNING) {
            setStatus(ExperimentStatus.NO_MORE_TRIAL);
        }
        deadlineGraceEnd = clock.instant().plus(grace);
        if (grace.isZero()) {
            onDeadlineGraceOver();
        } else {
            deadlineGraceTimer = schedule(Signal.DEADLINE_GRACE_OVER, grace);
        }
    }

    /** The deadline grace has passed: trials still running are cancelled, and end naming the limit. */
    private void onDeadlineGraceOver() {
        ExperimentStatus s = status;
        if (!deadlinePassed || live == 0 || s == ExperimentStatus.STOPPING || s.isFinished()) {
            return;
        }
        String why = "cancelled: the experiment's maxExecDuration of " + maxExecDuration
                + " and its deadline grace of " + settings.deadlineGrace() + " have passed";
        log.info("Experiment {}: the deadline grace of {} has passed; cancelling the {} trials still running",
                settings.experimentId(), settings.deadlineGrace(), live);
        for (TrialRecord r : records) {
            if (!r.status.isFinished() && r.limitReached == null) {
                r.limitReached = why;
                r.limitStopsEarly = false;
            }
        }
        cancelLive(why);
        if (live > 0) {
            schedule(Signal.STOP_GRACE_OVER, STOP_GRACE);
        }
    }

    // ---------------------------------------------------------------- steering

    /** Applies a steering request on the experiment thread; returns why it was refused, or null once applied. */
    private String applyControl(ControlRequest request, String source) {
        ExperimentStatus s = status;
        if (request instanceof ControlRequest.Stop) {
            if (s != ExperimentStatus.STOPPING && !s.isFinished()) {
                log.info("Experiment {}: stop requested by {}", settings.experimentId(), source);
                recordChange("status", s.name(), ExperimentStatus.STOPPING.name(), source);
            }
            beginStop();
            return null;
        }
        if (request instanceof ControlRequest.CancelTrial cancel) {
            return cancelTrial(cancel.trial(), source);
        }
        if (s == ExperimentStatus.STOPPING || s.isFinished()) {
            return "the experiment is " + s;
        }
        if (request instanceof ControlRequest.SetMaxTrialNumber max) {
            if (max.value() < submitted) {
                return "maxTrialNumber must not be below the " + submitted + " trials already submitted, was "
                        + max.value();
            }
            int old = maxTrialNumber;
            maxTrialNumber = max.value();
            recordChange("maxTrialNumber", old == Integer.MAX_VALUE ? "" : Integer.toString(old),
                    Integer.toString(max.value()), source);
        } else if (request instanceof ControlRequest.SetMaxExecDuration d) {
            Duration old = maxExecDuration;
            setMaxExecDuration(d.value());
            recordChange("maxExecDuration", old == null ? "" : old.toString(), d.value().toString(), source);
        } else if (request instanceof ControlRequest.SetTrialConcurrency c) {
            int old = trialConcurrency;
            trialConcurrency = c.value();
            if (settings.ownsPlatform() && platform instanceof dev.hybrid.platform.AdjustableConcurrency adjustable) {
                // The platform was sized from trialConcurrency when it was built: it follows the new value.
                adjustable.adjustConcurrency(c.value());
            }
            recordChange("trialConcurrency", Integer.toString(old), Integer.toString(c.value()), source);
        }
        resumeIfLimitsAllow();
        return null;
    }

    /**
     * Applies the control requests other processes left in the store, each once, and records each outcome there;
     * true when there were any. A store that cannot answer is logged once and asked again next time: steering from
     * outside is not worth failing the experiment for.
     */
    private boolean pollControls() {
        List<dev.hybrid.store.ControlResult> pending;
        try {
            pending = store.pendingControls();
        } catch (dev.hybrid.store.StoreException e) {
            if (!controlPollFailed) {
                controlPollFailed = true;
                log.warn("Experiment {} cannot read its control requests: {}", settings.experimentId(),
                        e.getMessage());
            }
            return false;
        }
        if (pending.isEmpty()) {
            return false;
        }
        List<String> outcomes = new ArrayList<>(pending.size());
        for (dev.hybrid.store.ControlResult c : pending) {
            String refused = c.requested().isBefore(runStartedWall)
                    ? "it was made before this run of the experiment started" : applyControl(c.request(), c.source());
            if (refused != null) {
                log.warn("Experiment {}: {} request {} from {} refused: {}", settings.experimentId(),
                        c.request().kind(), c.id(), c.source(), refused);
            }
            outcomes.add(refused);
        }
        // What the requests changed is durable before they are marked handled: a crash in between leaves them
        // pending (and refused by the next run) rather than reported applied and lost.
        commitStore();
        for (int i = 0; i < pending.size(); i++) {
            long id = pending.get(i).id();
            try {
                store.controlHandled(id, Optional.ofNullable(outcomes.get(i)), clock.instant());
            } catch (dev.hybrid.store.StoreException e) {
                log.warn("Experiment {} cannot record the outcome of control request {}: {}",
                        settings.experimentId(), id, e.getMessage());
            }
        }
        return true;
    }

    /** Refuses the control requests left when the experiment ends: nothing will apply them. */
    private void refusePendingControls(ExperimentStatus end) {
        for (dev.hybrid.store.ControlResult c : store.pendingControls()) {
            store.controlHandled(c.id(), Optional.of("the experiment ended " + end + " before applying it"),
                    clock.instant());
        }
    }

    /** A raised limit lets an experiment that had reached its budget (but still runs trials) submit again. */
    private void resumeIfLimitsAllow() {
        if (status == ExperimentStatus.NO_MORE_TRIAL && !deadlinePassed && submitted < maxTrialNumber) {
            log.info("Experiment {} goes on: its limits allow more trials", settings.experimentId());
            setStatus(ExperimentStatus.RUNNING);
        }
    }

    private void setMaxExecDuration(Duration d) {
        maxExecDuration = d;
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
        Instant now = clock.instant();
        deadlineAt = startedAt.plus(d.minus(elapsedBefore));
        Duration left = Duration.between(now, deadlineAt);
        if (left.isNegative() || left.isZero()) {
            onDeadline();
            return;
        }
        if (deadlinePassed) {
            deadlinePassed = false;
            deadlineGraceEnd = null;
            if (deadlineGraceTimer != null) {
                deadlineGraceTimer.cancel(false);
                deadlineGraceTimer = null;
            }
        }
        deadlineTimer = schedule(Signal.DEADLINE, left);
    }

    private String cancelTrial(TrialId id, String source) {
        TrialRecord r = byId.get(id);
        if (r == null) {
            return "the experiment has no trial " + id;
        }
        if (r.status.isFinished() || r.cancelledBy != null) {
            return null;
        }
        r.cancelledBy = "cancelled by " + source;
        withTrial(id, () -> log.info("Trial {} is cancelled at the request of {}", id, source));
        recordChange("trial " + id, r.status.name(), TrialStatus.USER_CANCELED.name(), source);
        if (retries.remove(r)) {
            endTrial(r, TrialStatus.USER_CANCELED, null, r.cancelledBy, clock.instant());
            return null;
        }
        commitStore();
        try {
            platform.cancel(id);
        } catch (RuntimeException e) {
            withTrial(id, () -> log.warn("Cancelling trial {} failed: {}", id, e.toString()));
        }
        return null;
    }

    /**
     * Records a change made by a steering request in the store's history of changes; the limits also go into the
     * stored settings, so that a resume continues with them.
     */
    private void recordChange(String field, String old, String now, String source) {
        log.info("Experiment {}: {} changed from {} to {} by {}", settings.experimentId(), field,
                old.isEmpty() ? "unlimited" : old, now, source);
        store.changeRecorded(new dev.hybrid.store.ExperimentChange(clock.instant(), field, old, now, source));
        if (!field.startsWith("max") && !field.equals("trialConcurrency")) {
            return;
        }
        Map<String, Object> json;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = dev.hybrid.internal.json.Json.MAPPER.readValue(stored.configJson(),
                    java.util.LinkedHashMap.class);
            json = parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new dev.hybrid.store.StoreException("the stored settings of experiment " + settings.experimentId()
                    + " are not JSON: " + e.getOriginalMessage(), e);
        }
        json.put("maxTrialNumber", maxTrialNumber == Integer.MAX_VALUE ? null : maxTrialNumber);
        json.put("maxExecDuration", maxExecDuration == null ? null : maxExecDuration.toString());
        json.put("trialConcurrency", trialConcurrency);
        stored = stored.withConfigJson(dev.hybrid.internal.json.Json.write(json));
        saveProgress();
    }

    /** A trial has run for {@code maxTrialDuration}: it is cancelled and will end EARLY_STOPPED, naming the limit. */
    private void onTrialTimeLimit(TrialTimeLimit limit) {
        TrialRecord r = byId.get(limit.trial());
        if (r == null || r.attempt != limit.attempt() || r.status != TrialStatus.RUNNING || r.limitReached != null
                || status == ExperimentStatus.STOPPING) {
            return;
        }
        Duration max = settings.maxTrialDuration().orElseThrow();
        r.limitReached = "exceeded maxTrialDuration of " + max;
        r.limitStopsEarly = true;
        withTrial(r.id(), () -> log.info("Trial {} ran longer than its maxTrialDuration of {}; cancelling it",
                r.id(), max));
        commitStore();
        try {
            platform.cancel(r.id());
        } catch (RuntimeException e) {
            withTrial(r.id(), () -> log.warn("Cancelling trial {} failed: {}", r.id(), e.toString()));
        }
    }

    private void beginStop() {
        ExperimentStatus s = status;
        if (s == ExperimentStatus.STOPPING || s.isFinished()) {
            return;
        }
        log.info("Experiment {} stopping: cancelling {} running trials", settings.experimentId(), live);
        setStatus(ExperimentStatus.STOPPING);
        cancelLive("experiment stopped");
        if (live > 0) {
            schedule(Signal.STOP_GRACE_OVER, STOP_GRACE);
        }
    }

    /** Cancels every live trial; those still waiting for a retry end at once. */
    private void cancelLive(String why) {
        while (!retries.isEmpty()) {
            endTrial(retries.poll(), TrialStatus.USER_CANCELED, null, why, clock.instant());
        }
        List<TrialRecord> toCancel = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0 && toCancel.size() < live; i--) {
            TrialRecord r = records.get(i);
            if (!r.status.isFinished()) {
                toCancel.add(r);
            }
        }
        commitStore();
        for (TrialRecord r : toCancel) {
            try {
                platform.cancel(r.id());
            } catch (RuntimeException e) {
                withTrial(r.id(), () -> log.warn("Cancelling trial {} failed: {}", r.id(), e.toString()));
            }
        }
    }

    private void onStopGraceOver() {
        if (live > 0) {
            log.warn("{} cancelled trials did not report their end within {}; recording them as cancelled", live,
                    STOP_GRACE);
            endUnfinished("did not end within " + STOP_GRACE + " of being cancelled");
        }
    }

    /** Records every trial that has not ended as cancelled, without waiting for its platform any longer. */
    private void endUnfinished(String why) {
        retries.clear();
        List<TrialRecord> unfinished = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0 && unfinished.size() < live; i--) {
            if (!records.get(i).status.isFinished()) {
                unfinished.add(records.get(i));
            }
        }
        for (int i = unfinished.size() - 1; i >= 0; i--) {
            endTrial(unfinished.get(i), TrialStatus.USER_CANCELED, null, why, clock.instant());
        }
    }

    private void finish(ExperimentStatus end) {
        try {
            if (end == ExperimentStatus.ERROR) {
                Throwable f = failure;
                if (f instanceof dev.hybrid.store.StoreException || f instanceof PlatformException) {
                    // A store or platform failure (a full disk, an unreachable machine) says what went wrong; its
                    // stack trace would only bury it. A tuner's failure keeps its trace: it is a bug to find.
                    log.error("Experiment {} failed: {}", settings.experimentId(), f.getMessage());
                    log.debug("Experiment {} failed", settings.experimentId(), f);
                } else {
                    log.error("Experiment {} failed: {}", settings.experimentId(), f == null ? "" : f.toString(), f);
                }
                tunerUsable = false;
                if (live > 0) {
                    safely(() -> cancelLive("experiment failed"));
                }
            }
            safely(platform::close);
            // Events already queued (ends of cancelled trials, a last final metric) are still recorded.
            List<Object> rest = new ArrayList<>();
            inbox.drainTo(rest);
            for (Object m : rest) {
                if (m instanceof TrialEvent e) {
                    safely(() -> onTrialEvent(e));
                }
            }
            if (live > 0) {
                safely(() -> endUnfinished(end == ExperimentStatus.ERROR ? "experiment failed" : "experiment ended"));
            }
        } finally {
            for (ScheduledFuture<?> t : timers) {
                t.cancel(false);
            }
            endedAt = clock.instant();
            ExperimentStatus last = durable(end);
            setStatus(last);
            if (stored != null) {
                safely(() -> refusePendingControls(last));
            }
            safely(this::closeStore);
            log.info("Experiment {} ended {}: {} trials", settings.experimentId(), last, submitted);
            finished.countDown();
        }
    }

    /**
     * {@code end}, unless the store can no longer keep what the experiment recorded (its database was deleted, the
     * disk is full): then the experiment failed, whatever it did, and the store's reason is its cause.
     */
    private ExperimentStatus durable(ExperimentStatus end) {
        if (end == ExperimentStatus.ERROR) {
            return end;
        }
        try {
            store.commit();
            return end;
        } catch (RuntimeException e) {
            failure = e;
            log.error("Experiment {} failed: {}", settings.experimentId(), e.getMessage());
            return ExperimentStatus.ERROR;
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (TunerFailure e) {
            tunerUsable = false;
            log.warn("Tuner failed while the experiment was ending: {}", e.getCause().toString());
        } catch (RuntimeException e) {
            if (storeFailed() && e instanceof dev.hybrid.store.StoreException) {
                log.debug("Ignoring a further store failure while the experiment was ending: {}", e.toString());
            } else if (e instanceof HybridException) {
                log.warn("Ignoring a failure while the experiment was ending: {}", e.getMessage());
            } else {
                log.warn("Ignoring a failure while the experiment was ending: {}", e.toString(), e);
            }
        }
    }

    /** Whether the experiment failed because its store did (a full disk, say): what follows fails the same way. */
    private boolean storeFailed() {
        return failure instanceof dev.hybrid.store.StoreException;
    }

    // ---------------------------------------------------------------- the store

    /** Opens the store and records a new experiment, or picks up a resumed one's row. */
    private void openStore() {
        store.open();
        Optional<StoredExperiment> prior = store.experiment();
        if (settings.resume()) {
            StoredExperiment row = prior.orElseThrow(() -> new dev.hybrid.store.StoreException(
                    "experiment " + settings.experimentId() + " has no stored row to resume"));
            elapsedBefore = row.elapsed();
            stored = row.withConfigJson(settings.configJson()).withProgress(row.status(), Optional.empty(),
                    row.elapsed());
        } else {
            if (prior.isPresent()) {
                throw new dev.hybrid.store.StoreException("experiment " + prior.get().id()
                        + " already exists in this store; resume it instead of starting it again");
            }
            stored = new StoredExperiment(settings.experimentId(), settings.name(), settings.configJson(), mode,
                    ExperimentStatus.INITIALIZED, Optional.of(startedAt), Optional.empty(), Duration.ZERO, 0);
        }
        saveProgress();
    }

    /** Saves the experiment's status and the running time spent so far. */
    private void saveProgress() {
        Instant now = clock.instant();
        Duration elapsed = elapsedBefore.plus(Duration.between(startedAt, now));
        stored = store.saveExperiment(stored.withProgress(status,
                status.isFinished() ? Optional.of(now) : Optional.empty(), elapsed));
        lastProgressSave = now;
    }

    /** Makes every recorded event durable; refreshes the stored elapsed time at most once a second. */
    private void commitStore() {
        if (lastProgressSave != null && Duration.between(lastProgressSave, clock.instant()).toMillis() >= 1000) {
            saveProgress();
        }
        store.commit();
    }

    private void closeStore() {
        try {
            store.commit();
        } finally {
            if (settings.ownsStore()) {
                store.close();
            }
        }
    }

    /**
     * Reloads a resumed experiment's trials: finished ones are replayed into the tuner (their final result, then
     * their end) so its history equals what is stored; unfinished ones run again as their next attempt.
     */
    private void restoreTrials() {
        List<StoredTrial> all = store.trials();
        List<TrialRecord> again = new ArrayList<>();
        int maxSequence = -1;
        for (StoredTrial st : all) {
            Trial t = st.trial();
            TrialRecord r = new TrialRecord(new TrialSpec(t.id(), t.sequence(), t.parameterId(), t.parameters()),
                    t.platform(), t.submitted());
            r.attempt = st.attempt();
            r.machine = t.machine().orElse(null);
            maxSequence = Math.max(maxSequence, t.sequence());
            synchronized (lock) {
                records.add(r);
                byId.put(r.id(), r);
                if (t.isFinished()) {
                    r.status = t.status();
                    r.started = t.started().orElse(null);
                    r.ended = t.ended().orElse(null);
                    r.exitCode = t.exitCode().orElse(null);
                    r.message = t.message();
                    t.intermediate().forEach(r::addIntermediate);
                    r.finalMetric = t.finalMetric().orElse(null);
                    if (t.finalValue().filter(Double::isFinite).isPresent()) {
                        r.finalValue = t.finalValue().get();
                        r.hasFinalValue = true;
                        if (best == null || mode.isBetter(r.finalValue, best.finalValue)) {
                            best = r;
                        }
                    }
                }
                counts[r.status.ordinal()]++;
            }
            if (t.isFinished()) {
                replay(r);
            } else {
                again.add(r);
            }
        }
        submitted = all.size();
        nextSequence = maxSequence + 1;
        Instant now = clock.instant();
        for (TrialRecord r : again) {
            r.attempt++;
            r.resumedFrom = r.platform;
            r.platform = platform.name();
            store.trialSubmitted(r.spec, r.platform, r.attempt, now);
            live++;
            retries.add(r);
        }
        resubmitsPending = !again.isEmpty();
        if (tuner instanceof WarmStart warm) {
            for (TrialRecord r : again) {
                callTuner(() -> warm.addPriorTrial(r.id(), r.parameters(), TrialStatus.WAITING), "addPriorTrial");
            }
        }
        log.info("Experiment {} resumed: {} stored trials, {} replayed into the tuner, {} to run again, {} spent",
                settings.experimentId(), all.size(), all.size() - again.size(), again.size(), elapsedBefore);
    }

    private void replay(TrialRecord r) {
        if (r.hasFinalValue) {
            double value = r.finalValue;
            if (tuner instanceof WarmStart warm) {
                callTuner(() -> warm.addPriorResult(r.id(), r.parameters(), value), "addPriorResult");
            } else {
                callTuner(() -> tuner.onResult(r.id(), r.parameters(), value), "onResult");
            }
        } else if (tuner instanceof WarmStart warm) {
            TrialStatus status = r.status;
            callTuner(() -> warm.addPriorTrial(r.id(), r.parameters(), status), "addPriorTrial");
        }
        callTuner(() -> tuner.onTrialEnd(r.id(), r.status), "onTrialEnd");
    }

    /** Feeds NNI import data to a tuner that can take it, before it proposes anything. */
    private void replayImported() {
        List<ImportedResult> imported = store.imported();
        if (imported.isEmpty()) {
            return;
        }
        if (!(tuner instanceof WarmStart warm)) {
            log.warn("Tuner {} cannot take imported results; ignoring {} of them", tuner.getClass().getSimpleName(),
                    imported.size());
            return;
        }
        int i = 0;
        for (ImportedResult result : imported) {
            TrialId id = new TrialId("imported-" + i++);
            double value;
            try {
                value = new Metric(MetricType.FINAL, 0, result.value(), clock.instant()).finiteScalar();
            } catch (MetricFormatException e) {
                log.warn("Skipping imported result {}: {}", id, e.getMessage());
                continue;
            }
            callTuner(() -> warm.addPriorResult(id, result.parameters(), value), "addPriorResult");
        }
        log.info("Tuner learned from {} imported results", imported.size());
    }

    // ---------------------------------------------------------------- helpers

    private void setStatus(ExperimentStatus s) {
        if (status == s) {
            return;
        }
        status = s;
        log.info("Experiment {} is {}", settings.experimentId(), s);
        if (stored != null) {
            try {
                saveProgress();
            } catch (RuntimeException e) {
                if (s.isFinished() && storeFailed()) {
                    log.debug("Cannot record the end of experiment {}: {}", settings.experimentId(), e.toString());
                } else if (s.isFinished()) {
                    log.warn("Cannot record the end of experiment {}: {}", settings.experimentId(), e.toString());
                } else {
                    throw e;
                }
            }
        }
        for (ExperimentListener l : listeners) {
            notify(l, "onStatusChanged", () -> l.onStatusChanged(s));
        }
    }

    private ScheduledFuture<?> schedule(Object message, Duration delay) {
        ScheduledFuture<?> f = scheduler.schedule(() -> {
            inbox.add(message);
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
        timers.removeIf(ScheduledFuture::isDone);
        timers.add(f);
        return f;
    }

    private Trial snapshot(TrialRecord r) {
        synchronized (lock) {
            return r.snapshot();
        }
    }

    private interface TunerCall<T> {
        T call();
    }

    private <T> T callTuner(TunerCall<T> call, String what) {
        try {
            return call.call();
        } catch (TunerException e) {
            throw new TunerFailure(e);
        } catch (RuntimeException e) {
            throw new TunerFailure(new TunerException("tuner " + tuner.getClass().getName() + " failed in "
                    + what + ": " + e, e));
        }
    }

    private void callTuner(Runnable call, String what) {
        callTuner(() -> {
            call.run();
            return null;
        }, what);
    }

    private void notify(ExperimentListener l, String what, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("Listener {} threw in {}; ignoring it", l.getClass().getName(), what, e);
        }
    }

    private static void withTrial(TrialId id, Runnable logCall) {
        MDC.put("trial", id.value());
        try {
            logCall.run();
        } finally {
            MDC.remove("trial");
        }
    }
}
