package dev.hybrid.platform;

import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one experiment's trials on several platforms at once (NNI's hybrid mode, done better): a
 * {@link TrainingPlatform} over any children — local, remote, two groups of SSH machines — passing the same contract
 * as any platform.
 *
 * <p><b>Dispatch.</b> Each trial goes to exactly one healthy child with room for it, chosen by a
 * {@link DispatchPolicy} (default {@link DispatchPolicy#fill()}: every child's free slots are filled before any one is
 * favoured). A child may be capped with
 * {@code maxTrialConcurrency}. {@link #freeSlots()} is the sum over healthy children. {@link #platformOf} tells which
 * child runs a trial; trials see that child's name in {@code NNI_PLATFORM}, as each child sets it.
 *
 * <p><b>Start-up.</b> The children start in parallel, each on a thread of its own ({@code hybrid-start-N}), and each
 * takes trials as soon as it has started: {@link #start} returns when every child has started, or 200 ms after the
 * first one did (it throws when every one failed), so a child still connecting to its machines delays nobody.
 *
 * <p><b>Fault isolation.</b> A child that cannot start, or refuses a submission, is marked unhealthy and left out,
 * then tried again after a backoff (1 s doubling to 60 s); the trial goes to another child, and never counts as a
 * trial failure. A trial a child reports {@code SYS_CANCELED} without having been asked to cancel it (its machine was
 * lost) is resubmitted once, with the same parameters, on another healthy child: an attempt, not a new trial. Only
 * when every child has failed does {@link #start} or {@link #submit} throw. A trial lost after it reported its final
 * result is not run again (its result is in), and what a lost attempt reports after its rerun was placed is ignored:
 * the rerun's events count. Each such event is logged at WARN with the
 * child and the cause.
 *
 * <p><b>Quarantine.</b> A child whose trials fail fast — {@code failures} trials in a row (default 3) ending
 * {@code FAILED} within {@code within} (default 10 s) of their submission — while another child's trials do not, has a
 * broken environment (a missing interpreter, a full disk, a machine that is reachable but broken): its fast failures
 * free its slots at once, so without this it would draw most new trials. It gets no new trial for a backoff (default
 * 30 s, doubling to 10 min), logged at WARN with the child, the count and the last failure; then the next trial goes to
 * it as a probe. A probe that does not fail fast ends the quarantine; one that does starts a longer one. When every
 * child fails fast (the trial itself is broken), none is quarantined. The rule is {@link FastFailureQuarantine}'s; set
 * it with {@link Builder#quarantine}.
 *
 * <p>Thread-safety: every method may be called from any thread; children's events are forwarded as they come, and
 * resubmissions run on one daemon thread {@code hybrid-dispatch}.
 */
public final class HybridPlatform implements TrainingPlatform, TrialPlacement, TrialMachine, ExperimentScoped,
        PlatformAvailability, TrialResumption, AdjustableConcurrency {
    private static final Logger log = LoggerFactory.getLogger(HybridPlatform.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** How long start() waits for the other children once the first one has started. */
    private static final Duration SETTLE = Duration.ofMillis(200);

    /** A child platform and what the hybrid platform knows of it. */
    private static final class Child {
        final int index;
        final TrainingPlatform platform;
        final String name;
        final OptionalInt maxTrialConcurrency;
        final double weight;
        int running;
        boolean started;
        boolean healthy = true;
        boolean failedForGood;
        Duration backoff = FIRST_BACKOFF;
        Instant retryAt = Instant.MIN;

        Child(int index, TrainingPlatform platform, String name, OptionalInt max, double weight) {
            this.index = index;
            this.platform = platform;
            this.name = name;
            this.maxTrialConcurrency = max;
            this.weight = weight;
        }

        int room() {
            int free = Math.max(0, platform.freeSlots());
            return maxTrialConcurrency.isPresent() ? Math.min(free, maxTrialConcurrency.getAsInt() - running) : free;
        }
    }

    /** Where a trial runs now. */
    private static final class Placement {
        final TrialSpec spec;
        Child child;
        boolean cancelRequested;
        boolean resubmitted;
        boolean finalReported;

        Placement(TrialSpec spec, Child child) {
            this.spec = spec;
            this.child = child;
        }
    }

    private final List<Child> children;
    private final DispatchPolicy policy;
    private final Clock clock;
    private final FastFailureQuarantine<Child> quarantine;
    private final Map<TrialId, Placement> placements = new HashMap<>();
    private final Object lock = new Object();
    private volatile TrialEventSink sink;
    private volatile boolean closed;
    private ExecutorService dispatcher;
    private ExecutorService starter;
    /** Whether start() has returned; guarded by {@code lock}. */
    private boolean startReturned;
    /** Children whose start has not returned yet; guarded by {@code lock}. */
    private int startsPending;
    /** Why each child that failed to start did; guarded by {@code lock}. */
    private final List<String> startFailures = new ArrayList<>();

    private HybridPlatform(List<Child> children, Builder b) {
        if (children.isEmpty()) {
            throw new IllegalArgumentException("a hybrid platform needs at least one child");
        }
        this.children = List.copyOf(children);
        this.policy = Objects.requireNonNull(b.policy, "policy");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        // Read under `lock`, which every call into the quarantine holds.
        this.quarantine = new FastFailureQuarantine<>(b.quarantineRule, clock, "Platform",
                c -> c.started && !c.failedForGood);
        for (Child c : this.children) {
            quarantine.add(c, c.name);
        }
    }

    /** A hybrid platform over {@code children}, with the default policy. */
    public static HybridPlatform of(TrainingPlatform... children) {
        Builder b = builder();
        for (TrainingPlatform c : children) {
            b.add(c);
        }
        return b.build();
    }

    /** A builder, for policies, per-child caps and weights. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link HybridPlatform}. Not thread-safe. */
    public static final class Builder {
        private final List<TrainingPlatform> platforms = new ArrayList<>();
        private final List<OptionalInt> caps = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();
        private DispatchPolicy policy = DispatchPolicy.fill();
        private Clock clock = Clock.systemUTC();
        private FastFailureQuarantine.Rule quarantineRule = FastFailureQuarantine.Rule.defaults();

        private Builder() {
        }

        /** Adds a child with no cap of its own and weight 1. */
        public Builder add(TrainingPlatform child) {
            return add(child, OptionalInt.empty(), 1.0);
        }

        /**
         * Adds a child.
         *
         * @param maxTrialConcurrency the most trials this child may run at once, on top of its own limit
         * @param weight its share under {@link DispatchPolicy#weighted()}; must be positive
         */
        public Builder add(TrainingPlatform child, OptionalInt maxTrialConcurrency, double weight) {
            Objects.requireNonNull(child, "child");
            Objects.requireNonNull(maxTrialConcurrency, "maxTrialConcurrency");
            if (maxTrialConcurrency.isPresent() && maxTrialConcurrency.getAsInt() < 1) {
                throw new IllegalArgumentException("maxTrialConcurrency must be >= 1, was "
                        + maxTrialConcurrency.getAsInt());
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be > 0, was " + weight);
            }
            platforms.add(child);
            caps.add(maxTrialConcurrency);
            weights.add(weight);
            return this;
        }

        /**
         * How each trial picks a child among the healthy ones with room; {@link DispatchPolicy#fill()} by default.
         * Replaces an earlier policy.
         */
        public Builder policy(DispatchPolicy dispatchPolicy) {
            this.policy = Objects.requireNonNull(dispatchPolicy, "policy");
            return this;
        }

        /**
         * The clock that times backoffs (of unhealthy and quarantined children) and fast failures; the UTC system clock
         * by default. Tests pass a fake clock to step through backoffs without waiting.
         */
        public Builder clock(Clock theClock) {
            this.clock = Objects.requireNonNull(theClock, "clock");
            return this;
        }

        /**
         * When a child is quarantined: after {@code failures} trials in a row ended {@code FAILED} within
         * {@code within} of their submission, while another child's trials do not fail fast. It then gets no trial for
         * {@code firstBackoff} (doubling, up to 10 min, each time a probe fails fast too). Defaults: 3, 10 s, 30 s.
         *
         * @throws IllegalArgumentException if {@code failures < 1} or a duration is not positive
         */
        public Builder quarantine(int failures, Duration within, Duration firstBackoff) {
            this.quarantineRule = new FastFailureQuarantine.Rule(failures, within, firstBackoff);
            return this;
        }

        /** @throws IllegalArgumentException without children */
        public HybridPlatform build() {
            List<Child> list = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < platforms.size(); i++) {
                TrainingPlatform p = platforms.get(i);
                // Two children of one kind are told apart in logs: remote, remote#2, ...
                int n = seen.merge(p.name(), 1, Integer::sum);
                String label = n == 1 ? p.name() : p.name() + "#" + n;
                list.add(new Child(i, p, label, caps.get(i), weights.get(i)));
            }
            return new HybridPlatform(list, this);
        }
    }

    @Override
    public String name() {
        return "hybrid";
    }

    /** The children's names, in order (a second child of one kind is {@code remote#2}). */
    public List<String> childNames() {
        return children.stream().map(c -> c.name).toList();
    }

    /**
     * The name of the platform running (or that ran) a trial: the child's own name, as in {@link #childNames()}
     * ({@code local}, or {@code local#2} for a second child of that kind).
     */
    @Override
    public Optional<String> platformOf(TrialId trial) {
        synchronized (lock) {
            Placement p = placements.get(trial);
            return p == null || p.child == null ? Optional.empty() : Optional.of(p.child.name);
        }
    }

    /** The machine of the child running (or that ran) a trial, where that child names one (remote). */
    @Override
    public Optional<String> machineOf(TrialId trial) {
        Child c;
        synchronized (lock) {
            Placement p = placements.get(trial);
            c = p == null ? null : p.child;
        }
        return c != null && c.platform instanceof TrialMachine m ? m.machineOf(trial) : Optional.empty();
    }

    /** Passes the experiment to every child that lays out trials by experiment. */
    @Override
    public void bindExperiment(ExperimentScope scope) {
        Objects.requireNonNull(scope, "scope");
        synchronized (lock) {
            if (sink != null) {
                throw new IllegalStateException("hybrid platform already started");
            }
        }
        for (Child c : children) {
            if (c.platform instanceof ExperimentScoped scoped) {
                scoped.bindExperiment(scope);
            }
        }
    }

    @Override
    public void start(TrialEventSink eventSink) {
        Objects.requireNonNull(eventSink, "sink");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("hybrid platform is closed");
            }
            if (sink != null) {
                throw new IllegalStateException("hybrid platform already started");
            }
            sink = eventSink;
        }
        dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hybrid-dispatch");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger count = new AtomicInteger();
        starter = Executors.newFixedThreadPool(children.size(), r -> {
            Thread t = new Thread(r, "hybrid-start-" + count.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        synchronized (lock) {
            startsPending = children.size();
        }
        for (Child c : children) {
            starter.execute(() -> startChild(c));
        }
        starter.shutdown();
        boolean interrupted = false;
        synchronized (lock) {
            // Returns as soon as one child can take trials: the others join when they are ready.
            while (!closed && startsPending > 0 && children.stream().noneMatch(c -> c.started)) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                    break;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new PlatformException(name(), "interrupted while its platforms were starting", false, null);
            }
            if (children.stream().anyMatch(c -> c.started)) {
                // Children that start about as fast (in-process, local, fakes) are waited for, briefly, so that
                // the first trials see them all; one still connecting after that joins when it is ready.
                long until = System.nanoTime() + SETTLE.toNanos();
                long left;
                while (!closed && startsPending > 0 && (left = until - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                startReturned = true;
                return;
            }
            if (closed) {
                throw new PlatformException(name(), "closed while its platforms were starting", false, null);
            }
            throw new PlatformException(name(), "every platform failed to start: "
                    + String.join("; ", startFailures), false, null);
        }
    }

    /** Starts one child, on its own thread; it takes trials from then on. */
    private void startChild(Child c) {
        try {
            c.platform.start(event -> onChildEvent(c, event));
            boolean late;
            synchronized (lock) {
                late = startReturned;
                c.started = true;
                startsPending--;
                lock.notifyAll();
            }
            if (late && !closed) {
                log.info("Platform {} has started and takes trials", c.name);
            }
        } catch (RuntimeException e) {
            if (!closed) {
                log.warn("Platform {} cannot start and is left out: {}", c.name, e.getMessage());
            }
            synchronized (lock) {
                c.healthy = false;
                c.failedForGood = true;
                startFailures.add(c.name + ": " + e.getMessage());
                startsPending--;
                lock.notifyAll();
            }
        }
    }

    /**
     * Unavailable once no child is starting and every child either failed to start or is unavailable itself (all its
     * machines lost, say).
     */
    @Override
    public Optional<String> unavailableReason() {
        List<String> reasons = new ArrayList<>();
        synchronized (lock) {
            if (startsPending > 0) {
                return Optional.empty();
            }
            for (Child c : children) {
                if (c.failedForGood) {
                    continue;
                }
                if (!(c.platform instanceof PlatformAvailability a)) {
                    return Optional.empty();
                }
                Optional<String> why = a.unavailableReason();
                if (why.isEmpty()) {
                    return Optional.empty();
                }
                reasons.add(c.name + ": " + why.get());
            }
            reasons.addAll(0, startFailures);
        }
        return Optional.of("no platform can run a trial: " + String.join("; ", reasons));
    }

    @Override
    public void submit(TrialSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("hybrid platform is closed");
        }
        if (sink == null) {
            throw new IllegalStateException("hybrid platform not started");
        }
        Placement placement = new Placement(spec, null);
        synchronized (lock) {
            if (placements.containsKey(spec.id())) {
                throw new IllegalArgumentException("trial " + spec.id() + " was already submitted");
            }
            placements.put(spec.id(), placement);
        }
        try {
            place(placement, null);
        } catch (RuntimeException e) {
            synchronized (lock) {
                placements.remove(spec.id());
            }
            throw e;
        }
    }

    /**
     * Submits to one healthy child with room, trying others when a child refuses. Returns the child that took it.
     *
     * @throws PlatformException (retryable) when no child can take it now
     */
    private Child place(Placement placement, Child exclude) {
        TrialSpec spec = placement.spec;
        List<String> refusals = new ArrayList<>();
        List<Child> tried = new ArrayList<>();
        while (true) {
            Child pick;
            synchronized (lock) {
                List<DispatchPolicy.Candidate> candidates = new ArrayList<>();
                Instant now = clock.instant();
                for (Child c : children) {
                    if (c == exclude || tried.contains(c)) {
                        continue;
                    }
                    int room = usableRoom(c, now);
                    if (room > 0) {
                        candidates.add(new DispatchPolicy.Candidate(c.index, c.name, room, c.running, c.weight));
                    }
                }
                if (candidates.isEmpty()) {
                    throw new PlatformException(name(), spec.id(), refusals.isEmpty()
                            ? "no platform has a free slot" : "no platform took the trial: "
                            + String.join("; ", refusals), true, null);
                }
                // A quarantined child whose backoff is over gets the next trial as its probe, whatever the policy
                // would choose: most-free would rarely pick a child offering one slot.
                Optional<DispatchPolicy.Candidate> probe = candidates.stream()
                        .filter(cand -> quarantine.isProbeDue(children.get(cand.index()))).findFirst();
                DispatchPolicy.Candidate chosen = probe.orElseGet(() -> policy.choose(spec, List.copyOf(candidates)));
                pick = children.get(chosen.index());
                pick.running++;
                // Before submitting: a child may report the trial's first events from inside submit.
                placement.child = pick;
                quarantine.submitted(pick, spec.id());
            }
            try {
                pick.platform.submit(spec);
                synchronized (lock) {
                    if (!pick.healthy) {
                        log.warn("Platform {} took a trial again and is healthy", pick.name);
                    }
                    pick.healthy = true;
                    pick.backoff = FIRST_BACKOFF;
                }
                log.debug("Trial {} goes to {}", spec.id(), pick.name);
                return pick;
            } catch (RuntimeException e) {
                synchronized (lock) {
                    pick.running--;
                    placement.child = null;
                    quarantine.withdrawn(pick, spec.id());
                    tried.add(pick);
                    markUnhealthy(pick, e);
                    refusals.add(pick.name + ": " + e.getMessage());
                }
            }
        }
    }

    private void markUnhealthy(Child c, Throwable cause) {
        Instant now = clock.instant();
        c.healthy = false;
        c.retryAt = now.plus(c.backoff);
        log.warn("Platform {} is unhealthy and is tried again in {} s: {}", c.name, c.backoff.toSeconds(),
                cause.getMessage());
        Duration doubled = c.backoff.multipliedBy(2);
        c.backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
    }

    /** The trials a child may take now: none while unhealthy or quarantined, one probe after a quarantine. */
    private int usableRoom(Child c, Instant now) {
        if (!c.started || c.failedForGood || (!c.healthy && now.isBefore(c.retryAt))) {
            return 0;
        }
        return quarantine.allowed(c, c.room());
    }

    private void onChildEvent(Child from, TrialEvent event) {
        if (closed) {
            return;
        }
        if (!(event instanceof TrialEvent.Ended)) {
            synchronized (lock) {
                Placement p = placements.get(event.trial());
                if (p != null && p.child != from) {
                    return; // output of an attempt that was already replaced: the rerun's counts
                }
                if (p != null && event instanceof TrialEvent.MetricReported m
                        && m.metric().type() == dev.hybrid.trial.MetricType.FINAL) {
                    p.finalReported = true;
                }
            }
        }
        if (event instanceof TrialEvent.Ended ended) {
            Placement p;
            boolean resubmit = false;
            synchronized (lock) {
                p = placements.get(ended.trial());
                if (p == null || p.child != from) {
                    return; // an event of an attempt that was already replaced
                }
                from.running--;
                quarantine.ended(from, ended.trial(), ended.status(), ended.message());
                // A trial lost after it reported its final result is not run again: its result is in.
                if (ended.status() == TrialStatus.SYS_CANCELED && !p.cancelRequested && !p.resubmitted
                        && !p.finalReported) {
                    p.resubmitted = true;
                    resubmit = true;
                    markUnhealthy(from, new PlatformException(from.name, ended.trial(), "lost trial "
                            + ended.trial() + ": " + ended.message(), true, null));
                }
            }
            if (resubmit) {
                log.warn("Trial {} was lost on {} ({}); resubmitting it once on another platform", ended.trial(),
                        from.name, ended.message());
                Placement placement = p;
                dispatcher.execute(() -> resubmit(placement, from, ended));
                return;
            }
        }
        TrialEventSink s = sink;
        if (s != null && !closed) {
            s.accept(event);
        }
    }

    private void resubmit(Placement p, Child lostOn, TrialEvent.Ended original) {
        try {
            place(p, lostOn);
        } catch (RuntimeException e) {
            log.warn("Trial {} could not be resubmitted: {}", p.spec.id(), e.getMessage());
            TrialEventSink s = sink;
            if (s != null && !closed) {
                s.accept(new TrialEvent.Ended(original.trial(), TrialStatus.SYS_CANCELED, original.exitCode(),
                        original.message() + "; not resubmitted: " + e.getMessage(), original.at()));
            }
        }
    }

    /**
     * Asks the child the trial was recorded on ({@code platform} is its name, as in {@link #childNames()}); a name that
     * is no child's (a trial recorded before it was placed) asks every child that can tell. A child that cannot tell
     * says yes: its own start ends an earlier run's processes (as the local platform's does).
     */
    @Override
    public boolean mayRunAgain(TrialId trial, String platform) {
        boolean named = children.stream().anyMatch(c -> c.name.equals(platform));
        for (Child c : children) {
            if ((!named || c.name.equals(platform)) && c.platform instanceof TrialResumption r) {
                boolean known;
                synchronized (lock) {
                    known = c.started || c.failedForGood;
                }
                // A child still starting has not yet ended what an earlier run left on its machines.
                if (!known || (!c.failedForGood && !r.mayRunAgain(trial, c.platform.name()))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void cancel(TrialId trial) {
        Child c;
        synchronized (lock) {
            Placement p = placements.get(trial);
            if (p == null) {
                return;
            }
            p.cancelRequested = true;
            c = p.child;
        }
        if (c != null) {
            c.platform.cancel(trial);
        }
    }

    /**
     * Passes a new {@code trialConcurrency} on to every child that can follow it (each child was sized from it);
     * per-child caps ({@code maxTrialConcurrency}) still apply.
     */
    @Override
    public void adjustConcurrency(int trialConcurrency) {
        if (trialConcurrency < 1) {
            throw new IllegalArgumentException("trialConcurrency must be >= 1, was " + trialConcurrency);
        }
        for (Child c : children) {
            if (c.platform instanceof AdjustableConcurrency adjustable) {
                adjustable.adjustConcurrency(trialConcurrency);
            }
        }
    }

    @Override
    public int freeSlots() {
        if (closed) {
            return 0;
        }
        int sum = 0;
        synchronized (lock) {
            Instant now = clock.instant();
            for (Child c : children) {
                sum += Math.max(0, usableRoom(c, now));
            }
        }
        return sum;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll(); // a start() waiting for its children gives up
        }
        for (Child c : children) {
            try {
                c.platform.close();
            } catch (RuntimeException e) {
                log.warn("Platform {} failed to close: {}", c.name, e.toString());
            }
        }
        ExecutorService st = starter;
        if (st != null) {
            st.shutdownNow();
        }
        ExecutorService d = dispatcher;
        if (d != null) {
            d.shutdownNow();
            try {
                d.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
