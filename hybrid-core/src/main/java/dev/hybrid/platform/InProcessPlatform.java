package dev.hybrid.platform;

import dev.hybrid.internal.json.Json;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialFunction;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialReporter;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs {@link TrialFunction}s in this JVM, on a fixed pool of {@code threads} daemon threads named
 * {@code hybrid-trial-<n>}: one trial per thread, so {@link #freeSlots()} is {@code threads} minus the trials that
 * have not ended. Its YAML name is {@code in-process}.
 *
 * <p>A trial that returns ends {@code SUCCEEDED}; one that throws anything ({@link Error}s such as
 * {@link OutOfMemoryError} included) ends {@code FAILED} with the throwable in the message, and its stack trace is
 * logged once at WARN. {@link #cancel} ends a live trial {@code USER_CANCELED} at once (exactly one {@code Ended}) and interrupts
 * its thread; the slot is free from then on, even if the function ignores the interrupt for a while. Thread-safe.
 */
public final class InProcessPlatform implements TrainingPlatform, AdjustableConcurrency {
    /** The platform's name in configurations and trial records. */
    public static final String NAME = "in-process";

    private static final Logger log = LoggerFactory.getLogger(InProcessPlatform.class);

    private final TrialFunction function;
    private volatile int threads;
    private final Clock clock;
    private final Map<TrialId, RunningTrial> live = new ConcurrentHashMap<>();
    private final AtomicInteger liveCount = new AtomicInteger();
    /** Emitting takes the read lock; close takes the write lock, so no event is delivered after close returns. */
    private final ReadWriteLock emitLock = new ReentrantReadWriteLock();
    private final Object lifecycle = new Object();

    private volatile TrialEventSink sink;
    private volatile ThreadPoolExecutor executor;
    private volatile boolean closed;
    private boolean sinkClosed;

    private InProcessPlatform(TrialFunction function, int threads, Clock clock) {
        this.function = function;
        this.threads = threads;
        this.clock = clock;
    }

    /**
     * A platform running {@code function} on {@code threads} threads, timestamping events with {@code clock}.
     *
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static InProcessPlatform create(TrialFunction function, int threads, Clock clock) {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(clock, "clock");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        return new InProcessPlatform(function, threads, clock);
    }

    /** A platform running {@code function} on {@code threads} threads, with the UTC system clock. */
    public static InProcessPlatform create(TrialFunction function, int threads) {
        return create(function, threads, Clock.systemUTC());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Starts the thread pool. @throws IllegalStateException if already started or closed */
    @Override
    public void start(TrialEventSink sink) {
        Objects.requireNonNull(sink, "sink");
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("in-process platform is closed");
            }
            if (executor != null) {
                throw new IllegalStateException("in-process platform is already started");
            }
            this.sink = sink;
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(() -> {
                    MDC.put("platform", NAME);
                    r.run();
                }, "hybrid-trial-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            // A trial leaves the live set (freeing its slot) just before its thread returns to the pool, so at most
            // `threads` tasks can wait in the queue: submit bounds it, whatever adjustConcurrency made `threads`.
            this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                    new LinkedBlockingQueue<>(), factory);
        }
    }

    /**
     * Starts a trial on a free thread.
     *
     * @throws IllegalStateException if not started, or closed
     * @throws IllegalArgumentException if a trial with this id is still live
     * @throws PlatformException (retryable) if no slot is free
     */
    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        ThreadPoolExecutor ex = executor;
        if (closed) {
            throw new IllegalStateException("in-process platform is closed; cannot submit trial " + spec.id());
        }
        if (ex == null) {
            throw new IllegalStateException("in-process platform is not started; cannot submit trial " + spec.id());
        }
        if (liveCount.incrementAndGet() > threads) {
            liveCount.decrementAndGet();
            throw new PlatformException(NAME, spec.id(), "no free slot (all " + threads + " threads busy)", true, null);
        }
        RunningTrial trial = new RunningTrial(spec, MDC.get("experiment"));
        if (live.putIfAbsent(spec.id(), trial) != null) {
            liveCount.decrementAndGet();
            throw new IllegalArgumentException("trial " + spec.id() + " is already running");
        }
        try {
            trial.future = ex.submit(trial);
        } catch (RejectedExecutionException e) {
            live.remove(spec.id(), trial);
            liveCount.decrementAndGet();
            if (closed) {
                throw new IllegalStateException("in-process platform is closed; cannot submit trial " + spec.id());
            }
            throw new PlatformException(NAME, spec.id(), "no thread free to run the trial", true, e);
        }
    }

    /** Ends a live trial {@code USER_CANCELED} and interrupts it; a no-op for finished and unknown trials. */
    @Override
    public void cancel(TrialId trial) {
        Objects.requireNonNull(trial, "trial");
        RunningTrial t = live.get(trial);
        if (t != null) {
            t.cancel();
        }
    }

    /** Runs up to {@code trialConcurrency} trials at once from now on, growing or shrinking its pool of threads. */
    @Override
    public void adjustConcurrency(int trialConcurrency) {
        if (trialConcurrency < 1) {
            throw new IllegalArgumentException("trialConcurrency must be >= 1, was " + trialConcurrency);
        }
        synchronized (lifecycle) {
            ThreadPoolExecutor ex = executor;
            if (ex != null && !closed) {
                // The order keeps core <= maximum, which ThreadPoolExecutor checks at each step.
                if (trialConcurrency > ex.getMaximumPoolSize()) {
                    ex.setMaximumPoolSize(trialConcurrency);
                    ex.setCorePoolSize(trialConcurrency);
                } else {
                    ex.setCorePoolSize(trialConcurrency);
                    ex.setMaximumPoolSize(trialConcurrency);
                }
            }
            threads = trialConcurrency;
        }
    }

    @Override
    public int freeSlots() {
        return closed || executor == null ? 0 : Math.max(0, threads - liveCount.get());
    }

    /** Cancels every live trial (each ends {@code USER_CANCELED}) and stops the threads. Idempotent. */
    @Override
    public void close() {
        ThreadPoolExecutor ex;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            ex = executor;
        }
        for (RunningTrial t : new ArrayList<>(live.values())) {
            t.cancel();
        }
        emitLock.writeLock().lock();
        try {
            sinkClosed = true;
        } finally {
            emitLock.writeLock().unlock();
        }
        if (ex != null) {
            ex.shutdownNow();
        }
    }

    private void emit(TrialEvent event) {
        emitLock.readLock().lock();
        try {
            if (!sinkClosed) {
                sink.accept(event);
            }
        } finally {
            emitLock.readLock().unlock();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getName() + (m == null ? "" : ": " + m);
    }

    /** One submitted trial: its task, its reporter, and the flag that makes its Ended happen exactly once. */
    private final class RunningTrial implements Runnable, TrialReporter {
        private final TrialSpec spec;
        /** The submitting thread's experiment id, carried into the trial thread's MDC. */
        private final String experiment;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicInteger intermediateSequence = new AtomicInteger();
        private volatile boolean cancelled;
        private volatile Future<?> future;

        RunningTrial(TrialSpec spec, String experiment) {
            this.spec = spec;
            this.experiment = experiment;
        }

        @Override
        public void run() {
            if (ended.get()) {
                return;
            }
            MDC.put("trial", spec.id().value());
            if (experiment != null) {
                MDC.put("experiment", experiment);
            }
            try {
                emit(new TrialEvent.Started(spec.id(), clock.instant()));
                function.run(spec.parameters(), this);
                end(TrialStatus.SUCCEEDED, "");
            } catch (InterruptedException e) {
                end(TrialStatus.FAILED, "interrupted: " + describe(e));
            } catch (Throwable e) {
                // Any Throwable, Errors included: the pool's FutureTask would otherwise swallow it, the trial would
                // never end, and the experiment would wait for it forever. A cancelled trial's throw is expected.
                if (!ended.get()) {
                    log.warn("Trial {} failed: its function threw", spec.id(), e);
                }
                end(TrialStatus.FAILED, describe(e));
            } finally {
                MDC.remove("trial");
                MDC.remove("experiment");
                // A cancel may have interrupted this thread; the pool thread must not carry the flag on.
                Thread.interrupted();
            }
        }

        void cancel() {
            cancelled = true;
            if (end(TrialStatus.USER_CANCELED, "cancelled")) {
                Future<?> f = future;
                if (f != null) {
                    f.cancel(true);
                }
            }
        }

        /** Ends the trial unless it already ended; returns whether this call ended it. */
        private boolean end(TrialStatus status, String message) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            // Free the slot before the experiment hears of the end, so that it sees the slot when it refills.
            live.remove(spec.id(), this);
            liveCount.decrementAndGet();
            emit(new TrialEvent.Ended(spec.id(), status, Optional.empty(), message, clock.instant()));
            return true;
        }

        private void report(MetricType type, int sequence, String json) {
            if (!ended.get()) {
                emit(new TrialEvent.MetricReported(spec.id(), new Metric(type, sequence, json, clock.instant())));
            }
        }

        @Override
        public TrialId trialId() {
            return spec.id();
        }

        @Override
        public void reportIntermediate(double value) {
            if (!ended.get()) {
                emit(new TrialEvent.MetricReported(spec.id(), Metric.of(MetricType.PERIODICAL,
                        intermediateSequence.getAndIncrement(), value, clock.instant())));
            }
        }

        @Override
        public void reportIntermediate(Map<String, ?> value) {
            Objects.requireNonNull(value, "value");
            String json = Json.write(value);
            report(MetricType.PERIODICAL, intermediateSequence.getAndIncrement(), json);
        }

        @Override
        public void reportFinal(double value) {
            if (!ended.get()) {
                emit(new TrialEvent.MetricReported(spec.id(), Metric.of(MetricType.FINAL, 0, value, clock.instant())));
            }
        }

        @Override
        public void reportFinal(Map<String, ?> value) {
            Objects.requireNonNull(value, "value");
            report(MetricType.FINAL, 0, Json.write(value));
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }
}
