package dev.hybrid.testkit;

import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A scripted {@link TrainingPlatform} for engine tests. On each submit it emits, at once and from the submitting
 * thread, the events its script gives for the spec; a test may also emit events by hand ({@link #emit},
 * {@link #end}). Without a script it follows the {@link TrainingPlatformContract} scenarios named by the spec's
 * {@code scenario} parameter, and emits nothing for other specs. {@code cancel} ends a live trial
 * {@code USER_CANCELED} (unless {@link #ignoreCancel}). Thread-safe; passes the platform contract itself.
 */
public final class FakePlatform implements TrainingPlatform {
    private final int slots;
    private final Clock clock;
    private Function<TrialSpec, List<TrialEvent>> script;
    private final Deque<RuntimeException> submitFailures = new ArrayDeque<>();
    private PlatformException startFailure;
    private boolean ignoreCancel;

    private TrialEventSink sink;
    private boolean started;
    private boolean closed;
    private final Set<TrialId> live = new LinkedHashSet<>();
    private final List<TrialSpec> submitted = new ArrayList<>();
    private final List<TrialId> cancelled = new ArrayList<>();
    private int peakLive;

    private FakePlatform(int slots, Clock clock) {
        this.slots = slots;
        this.clock = clock;
    }

    /** A platform with {@code slots} slots and the UTC system clock. */
    public static FakePlatform withSlots(int slots) {
        return new FakePlatform(slots, Clock.systemUTC());
    }

    /** A platform with {@code slots} slots, timestamping with {@code clock}. */
    public static FakePlatform withSlots(int slots, Clock clock) {
        return new FakePlatform(slots, clock);
    }

    /** Sets the events emitted for each submitted spec. */
    public synchronized FakePlatform onSubmit(Function<TrialSpec, List<TrialEvent>> script) {
        this.script = Objects.requireNonNull(script, "script");
        return this;
    }

    /** Each trial starts, reports {@code value} as its final result and succeeds, all at once. */
    public FakePlatform succeedingWith(double value) {
        return onSubmit(spec -> List.of(started(spec.id()), finalMetric(spec.id(), value),
                ended(spec.id(), TrialStatus.SUCCEEDED)));
    }

    /** Each trial starts and waits for the test to end it. */
    public FakePlatform startingOnly() {
        return onSubmit(spec -> List.of(started(spec.id())));
    }

    /** The next submit throws {@code e} instead (queued: call again for several). */
    public synchronized FakePlatform failNextSubmit(RuntimeException e) {
        submitFailures.add(Objects.requireNonNull(e, "e"));
        return this;
    }

    /** {@code start} throws {@code e}. */
    public synchronized FakePlatform failStart(PlatformException e) {
        this.startFailure = e;
        return this;
    }

    /** Makes {@code cancel} only record the request, emitting nothing. */
    public synchronized FakePlatform ignoreCancel() {
        this.ignoreCancel = true;
        return this;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public synchronized void start(TrialEventSink sink) {
        if (startFailure != null) {
            throw startFailure;
        }
        if (started || closed) {
            throw new IllegalStateException("fake platform already started or closed");
        }
        this.sink = Objects.requireNonNull(sink, "sink");
        started = true;
    }

    @Override
    public synchronized void submit(TrialSpec spec) {
        if (!started || closed) {
            throw new IllegalStateException("fake platform is " + (closed ? "closed" : "not started"));
        }
        RuntimeException failure = submitFailures.poll();
        if (failure != null) {
            throw failure;
        }
        if (live.size() >= slots) {
            throw new PlatformException(name(), spec.id(), "no free slot", true, null);
        }
        submitted.add(spec);
        live.add(spec.id());
        peakLive = Math.max(peakLive, live.size());
        List<TrialEvent> events = script != null ? script.apply(spec) : scenario(spec);
        for (TrialEvent e : events) {
            emit(e);
        }
        notifyAll();
    }

    private List<TrialEvent> scenario(TrialSpec spec) {
        Object scenario = spec.parameters().get(TrainingPlatformContract.SCENARIO).orElse("");
        TrialId id = spec.id();
        if (TrainingPlatformContract.SUCCEED.equals(scenario)) {
            return List.of(started(id), metric(id, MetricType.PERIODICAL, 0, "1"),
                    metric(id, MetricType.PERIODICAL, 1, "2"), metric(id, MetricType.PERIODICAL, 2, "3"),
                    metric(id, MetricType.FINAL, 0, "4"), ended(id, TrialStatus.SUCCEEDED));
        }
        if (TrainingPlatformContract.FAIL.equals(scenario)) {
            return List.of(started(id), new TrialEvent.Ended(id, TrialStatus.FAILED, Optional.of(3),
                    "exit code 3", clock.instant()));
        }
        if (TrainingPlatformContract.BLOCK.equals(scenario)) {
            return List.of(started(id));
        }
        return List.of();
    }

    @Override
    public synchronized void cancel(TrialId trial) {
        cancelled.add(trial);
        notifyAll();
        if (!ignoreCancel && live.contains(trial)) {
            emit(ended(trial, TrialStatus.USER_CANCELED));
        }
    }

    @Override
    public synchronized int freeSlots() {
        return closed || !started ? 0 : Math.max(0, slots - live.size());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (TrialId id : new ArrayList<>(live)) {
            emit(ended(id, TrialStatus.USER_CANCELED));
        }
        closed = true;
        notifyAll();
    }

    /** Emits an event as if the trial had produced it; ignored once closed. An {@code Ended} frees the slot. */
    public synchronized void emit(TrialEvent event) {
        if (closed || sink == null) {
            return;
        }
        if (event instanceof TrialEvent.Ended) {
            live.remove(event.trial());
        }
        sink.accept(event);
    }

    /** Emits {@code Ended(status)} for a trial. */
    public void end(TrialId trial, TrialStatus status) {
        emit(ended(trial, status));
    }

    /** Emits a final metric with a number. */
    public void reportFinal(TrialId trial, double value) {
        emit(finalMetric(trial, value));
    }

    /** Waits until {@code cancel} was called for {@code trial}. */
    public synchronized void awaitCancelled(TrialId trial, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cancelled.contains(trial)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("trial " + trial + " was not cancelled within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The specs submitted so far, in order. */
    public synchronized List<TrialSpec> submitted() {
        return List.copyOf(submitted);
    }

    /** Waits until at least {@code n} trials were submitted; returns them. @throws AssertionError on time-out */
    public synchronized List<TrialSpec> awaitSubmitted(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (submitted.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + submitted.size() + " of " + n + " trials submitted within "
                        + timeout + ": " + submitted);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(submitted);
    }

    /** Waits until the platform is closed. @throws AssertionError on time-out */
    public synchronized void awaitClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("platform not closed within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The trials whose cancel was asked, in order (repeats included). */
    public synchronized List<TrialId> cancelled() {
        return List.copyOf(cancelled);
    }

    /** The live trials: submitted and not ended. */
    public synchronized Set<TrialId> live() {
        return Set.copyOf(live);
    }

    /** The most trials that were live at once. */
    public synchronized int peakLive() {
        return peakLive;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** A {@code Started} event now. */
    public TrialEvent.Started started(TrialId id) {
        return new TrialEvent.Started(id, clock.instant());
    }

    /** A final metric event holding {@code value}. */
    public TrialEvent.MetricReported finalMetric(TrialId id, double value) {
        return new TrialEvent.MetricReported(id, Metric.of(MetricType.FINAL, 0, value, clock.instant()));
    }

    /** A metric event holding the JSON text {@code json}. */
    public TrialEvent.MetricReported metric(TrialId id, MetricType type, int sequence, String json) {
        return new TrialEvent.MetricReported(id, new Metric(type, sequence, json, clock.instant()));
    }

    /** An {@code Ended} event now. */
    public TrialEvent.Ended ended(TrialId id, TrialStatus status) {
        return TrialEvent.Ended.of(id, status, clock.instant());
    }
}
