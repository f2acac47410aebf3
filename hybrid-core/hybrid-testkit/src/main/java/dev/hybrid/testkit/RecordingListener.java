package dev.hybrid.testkit;

import dev.hybrid.ExperimentListener;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An {@link dev.hybrid.ExperimentListener} that records every callback, in order, and lets a test wait for one
 * without sleeping. Thread-safe.
 */
public final class RecordingListener implements ExperimentListener {

    /** One callback received. */
    public sealed interface Event {
        /** {@code onStatusChanged}. */
        record StatusChanged(ExperimentStatus status) implements Event {
        }

        /** {@code onTrialSubmitted}. */
        record Submitted(Trial trial) implements Event {
        }

        /** {@code onTrialWaiting}. */
        record Waiting(Trial trial) implements Event {
        }

        /** {@code onTrialStarted}. */
        record Started(Trial trial) implements Event {
        }

        /** {@code onMetric}. */
        record MetricReported(TrialId trial, Metric metric) implements Event {
        }

        /** {@code onTrialEnded}. */
        record Ended(Trial trial) implements Event {
        }
    }

    private final List<Event> events = new ArrayList<>();

    private synchronized void add(Event e) {
        events.add(e);
        notifyAll();
    }

    @Override
    public void onStatusChanged(ExperimentStatus status) {
        add(new Event.StatusChanged(status));
    }

    @Override
    public void onTrialSubmitted(Trial trial) {
        add(new Event.Submitted(trial));
    }

    @Override
    public void onTrialWaiting(Trial trial) {
        add(new Event.Waiting(trial));
    }

    @Override
    public void onTrialStarted(Trial trial) {
        add(new Event.Started(trial));
    }

    @Override
    public void onMetric(TrialId trial, Metric metric) {
        add(new Event.MetricReported(trial, metric));
    }

    @Override
    public void onTrialEnded(Trial trial) {
        add(new Event.Ended(trial));
    }

    /** Every callback so far, in order. */
    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** The statuses entered so far, in order. */
    public List<ExperimentStatus> statuses() {
        return events().stream().filter(Event.StatusChanged.class::isInstance)
                .map(e -> ((Event.StatusChanged) e).status()).toList();
    }

    /** Waits until at least {@code n} recorded callbacks match. @throws AssertionError on time-out */
    public synchronized List<Event> await(Predicate<? super Event> predicate, int n, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Event> matching = events.stream().filter(predicate).toList();
            if (matching.size() >= n) {
                return matching;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + matching.size() + " of " + n + " expected callbacks within "
                        + timeout + "; callbacks so far: " + events);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until the experiment entered {@code status}. */
    public void awaitStatus(ExperimentStatus status, Duration timeout) throws InterruptedException {
        await(e -> e instanceof Event.StatusChanged s && s.status() == status, 1, timeout);
    }

    /** Waits until {@code n} trials have started. */
    public List<Event> awaitStarted(int n, Duration timeout) throws InterruptedException {
        return await(Event.Started.class::isInstance, n, timeout);
    }
}
