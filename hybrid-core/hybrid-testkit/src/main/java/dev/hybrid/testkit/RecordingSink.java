package dev.hybrid.testkit;

import dev.hybrid.platform.TrialEventSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A {@link TrialEventSink} that records every event and lets a test wait for them without sleeping: each wait returns
 * the moment the event arrives, and fails with the events seen so far when it times out. Reads move a cursor:
 * {@link #next} returns the first event not yet returned, {@link #awaitEvent} the first matching one after the
 * cursor (skipping the others). Thread-safe.
 */
public final class RecordingSink implements TrialEventSink {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<TrialEvent> events = new ArrayList<>();
    private int cursor;

    @Override
    public void accept(TrialEvent event) {
        lock.lock();
        try {
            events.add(event);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next event after the cursor. @throws AssertionError if none arrives within {@code timeout} */
    public TrialEvent next(Duration timeout) {
        return awaitEvent(e -> true, timeout, "any event");
    }

    /** The first event after the cursor that matches. @throws AssertionError if none arrives within {@code timeout} */
    public TrialEvent awaitEvent(Predicate<? super TrialEvent> predicate, Duration timeout) {
        return awaitEvent(predicate, timeout, "a matching event");
    }

    /** As {@link #awaitEvent(Predicate, Duration)}, describing what is awaited in the failure message. */
    public TrialEvent awaitEvent(Predicate<? super TrialEvent> predicate, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (int i = cursor; i < events.size(); i++) {
                    if (predicate.test(events.get(i))) {
                        cursor = i + 1;
                        return events.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + timeout + "; events so far: " + events);
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what + "; events so far: " + events, e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the {@code Ended} event of {@code trial}. */
    public TrialEvent.Ended awaitEnded(TrialId trial, Duration timeout) {
        return (TrialEvent.Ended) awaitEvent(e -> e instanceof TrialEvent.Ended && e.trial().equals(trial), timeout,
                "Ended of trial " + trial);
    }

    /** Waits for the {@code Started} event of {@code trial}. */
    public TrialEvent.Started awaitStarted(TrialId trial, Duration timeout) {
        return (TrialEvent.Started) awaitEvent(e -> e instanceof TrialEvent.Started && e.trial().equals(trial),
                timeout, "Started of trial " + trial);
    }

    /**
     * Waits until at least {@code count} recorded events (from the first, ignoring the cursor) match.
     *
     * @throws AssertionError if they do not within {@code timeout}
     */
    public List<TrialEvent> awaitCount(Predicate<? super TrialEvent> predicate, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<TrialEvent> matching = events.stream().filter(predicate).toList();
                if (matching.size() >= count) {
                    return matching;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("only " + matching.size() + " of " + count + " expected events within "
                            + timeout + "; events so far: " + events);
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted; events so far: " + events, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks that no event arrives (after those already recorded) within {@code window}: a bounded wait on the
     * arrival signal, which returns early with a failure as soon as one does.
     */
    public void expectNoEvent(Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        lock.lock();
        try {
            int seen = events.size();
            while (events.size() == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
            throw new AssertionError("unexpected event " + events.get(seen) + "; events so far: " + events);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks that no event matching {@code predicate} arrives (after those already recorded) within {@code window};
     * fails as soon as one does.
     */
    public void expectNoEvent(Predicate<? super TrialEvent> predicate, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        lock.lock();
        try {
            int checked = events.size();
            while (true) {
                for (; checked < events.size(); checked++) {
                    if (predicate.test(events.get(checked))) {
                        throw new AssertionError("unexpected event " + events.get(checked) + "; events so far: "
                                + events);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                arrived.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    /** Every event recorded so far, in arrival order. */
    public List<TrialEvent> events() {
        lock.lock();
        try {
            return List.copyOf(events);
        } finally {
            lock.unlock();
        }
    }

    /** The events of one trial recorded so far, in arrival order. */
    public List<TrialEvent> eventsOf(TrialId trial) {
        return events().stream().filter(e -> e.trial().equals(trial)).toList();
    }
}
