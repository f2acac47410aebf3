package dev.hybrid.platform;

import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps trials away from a place — a child of a {@link HybridPlatform}, a machine of a remote platform — whose trials
 * fail fast while the other places' trials do not: a broken environment there (a missing interpreter, a full disk, a
 * machine that is reachable but broken). Its fast failures free its slots at once, so without this rule dispatch by
 * free slots would send it most new trials.
 *
 * <p>The rule: after {@link Rule#failures()} trials in a row on one place ended {@code FAILED} within
 * {@link Rule#within()} of their submission, while some other usable place's last trial did not fail fast, the place
 * is quarantined for a backoff ({@link Rule#firstBackoff()}, doubling up to 10 min), logged at WARN with the place, the
 * count and the last failure. Then it may take one probe trial: one that does not fail fast ends the quarantine, one
 * that does starts a longer one. When every place fails fast (the trial itself is broken), none is quarantined, and a
 * quarantined place's failed probe ends its quarantine.
 *
 * <p>Callers register each place, ask {@link #allowed} how many trials it may take, and report each trial's
 * {@link #submitted}, {@link #withdrawn} and {@link #ended}. Thread-safe: every method takes this object's lock, and
 * calls the {@code usable} predicate under it.
 *
 * @param <P> the caller's type of place
 */
public final class FastFailureQuarantine<P> {
    private static final Logger log = LoggerFactory.getLogger(FastFailureQuarantine.class);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    /**
     * When a place is quarantined.
     *
     * @param failures how many trials in a row must fail fast; at least 1
     * @param within how soon after its submission a trial's failure counts as fast; positive
     * @param firstBackoff the first quarantine's length; positive
     */
    public record Rule(int failures, Duration within, Duration firstBackoff) {
        /** @throws IllegalArgumentException if {@code failures < 1} or a duration is not positive */
        public Rule {
            Objects.requireNonNull(within, "within");
            Objects.requireNonNull(firstBackoff, "firstBackoff");
            if (failures < 1) {
                throw new IllegalArgumentException("failures must be >= 1, was " + failures);
            }
            if (within.isNegative() || within.isZero() || firstBackoff.isNegative() || firstBackoff.isZero()) {
                throw new IllegalArgumentException("within and firstBackoff must be positive, were " + within
                        + " and " + firstBackoff);
            }
        }

        /** 3 trials in a row failing within 10 s; 30 s of quarantine first. */
        public static Rule defaults() {
            return new Rule(3, Duration.ofSeconds(10), Duration.ofSeconds(30));
        }
    }

    private static final class Place {
        final String name;
        int fastFailures;
        String lastFailure = "";
        boolean quarantined;
        Instant until = Instant.MIN;
        Duration backoff;
        TrialId probe;

        Place(String name, Duration backoff) {
            this.name = name;
            this.backoff = backoff;
        }
    }

    private record Submission(Object place, Instant at) {
    }

    private final Rule rule;
    private final Clock clock;
    private final String kind;
    private final Predicate<P> usable;
    private final Map<P, Place> places = new LinkedHashMap<>();
    private final Map<TrialId, Submission> live = new HashMap<>();

    /**
     * A quarantine over places registered with {@link #add}.
     *
     * @param kind what a place is, for log messages: {@code "Platform"}, {@code "Machine"}
     * @param usable whether a place can take trials at all now (started, reachable); only usable places vouch that
     *     the trial itself works
     */
    public FastFailureQuarantine(Rule rule, Clock clock, String kind, Predicate<P> usable) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.usable = Objects.requireNonNull(usable, "usable");
    }

    /** Registers a place under a name for the logs. */
    public synchronized void add(P place, String name) {
        places.put(Objects.requireNonNull(place, "place"), new Place(Objects.requireNonNull(name, "name"),
                rule.firstBackoff()));
    }

    /**
     * How many of its {@code room} free slots a place may fill now: all of them, none while it is quarantined or its
     * probe runs, at most one (the probe) once its backoff is over.
     */
    public synchronized int allowed(P place, int room) {
        Place p = place(place);
        if (!p.quarantined) {
            return room;
        }
        return p.probe != null || clock.instant().isBefore(p.until) ? 0 : Math.min(1, room);
    }

    /** Whether the place's next trial would be its probe: dispatch should prefer it, or it may never be probed. */
    public synchronized boolean isProbeDue(P place) {
        Place p = place(place);
        return p.quarantined && p.probe == null && !clock.instant().isBefore(p.until);
    }

    /** A trial was submitted to the place (its probe, if the place is quarantined). */
    public synchronized void submitted(P place, TrialId trial) {
        Place p = place(place);
        live.put(trial, new Submission(place, clock.instant()));
        if (p.quarantined && p.probe == null) {
            p.probe = trial;
            log.info("Trial {} probes quarantined {} {}", trial, kind.toLowerCase(java.util.Locale.ROOT), p.name);
        }
    }

    /** The place refused the trial after all: it neither counts nor probes. */
    public synchronized void withdrawn(P place, TrialId trial) {
        Place p = place(place);
        live.remove(trial);
        if (trial.equals(p.probe)) {
            p.probe = null;
        }
    }

    /** A trial on the place ended: counts a fast failure, and quarantines or releases the place. */
    public synchronized void ended(P place, TrialId trial, TrialStatus status, String message) {
        Place p = place(place);
        Submission s = live.remove(trial);
        if (s == null || s.place() != place) {
            return;
        }
        boolean fast = status == TrialStatus.FAILED
                && Duration.between(s.at(), clock.instant()).compareTo(rule.within()) <= 0;
        boolean probe = trial.equals(p.probe);
        if (probe) {
            p.probe = null;
        }
        if (status == TrialStatus.USER_CANCELED) {
            return;
        }
        if (fast) {
            p.fastFailures++;
            p.lastFailure = message;
        } else {
            p.fastFailures = 0;
        }
        boolean othersFine = anotherIsFine(place);
        if (probe && (!fast || !othersFine)) {
            // A probe that did not fail fast, or one that did while every other place fails fast too (then the
            // trial, not this place, is broken): the place takes trials again.
            p.quarantined = false;
            p.backoff = rule.firstBackoff();
            log.warn("{} {} takes trials again after its probe trial ended {}", kind, p.name, status);
        } else if (probe || (!p.quarantined && p.fastFailures >= rule.failures() && othersFine)) {
            p.quarantined = true;
            p.until = clock.instant().plus(p.backoff);
            log.warn("{} {} is quarantined for {} s: {} trials in a row failed within {} s of their submission while "
                            + "other {}s' trials did not; a probe trial follows. Last failure: {}", kind, p.name,
                    p.backoff.toSeconds(), p.fastFailures, rule.within().toSeconds(),
                    kind.toLowerCase(java.util.Locale.ROOT), p.lastFailure);
            Duration doubled = p.backoff.multipliedBy(2);
            p.backoff = doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
        }
    }

    /** Whether the place is quarantined now (its backoff running, or its probe due or running). */
    public synchronized boolean isQuarantined(P place) {
        return place(place).quarantined;
    }

    /**
     * Whether a usable place other than {@code place}, not quarantined, had a last trial that did not fail fast. (A
     * place with no trial yet counts: under most-free dispatch a place failing fast would otherwise keep every trial
     * and never let another show that the trial works.)
     */
    private boolean anotherIsFine(P place) {
        for (Map.Entry<P, Place> e : places.entrySet()) {
            Place o = e.getValue();
            if (e.getKey() != place && !o.quarantined && o.fastFailures == 0 && usable.test(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    private Place place(P place) {
        Place p = places.get(place);
        if (p == null) {
            throw new IllegalArgumentException("unknown place " + place);
        }
        return p;
    }
}
