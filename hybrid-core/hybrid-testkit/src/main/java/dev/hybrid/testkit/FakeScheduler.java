package dev.hybrid.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} driven by a {@link FakeClock}: scheduled tasks run on the test's thread when
 * {@link #advance} moves the clock past their time, in time order. {@link #execute} runs a task at once. Thread-safe.
 */
public final class FakeScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final FakeClock clock;
    private final List<Task<?>> tasks = new ArrayList<>();
    private long sequence;
    private boolean shutdown;

    public FakeScheduler(FakeClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this scheduler follows. */
    public FakeClock clock() {
        return clock;
    }

    /** Moves the clock forward by {@code d}, running every task that falls due on the way, in time order. */
    public void advance(Duration d) {
        Instant target = clock.instant().plus(d);
        while (true) {
            Task<?> next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.at.isAfter(target))
                        .min(Comparator.comparing((Task<?> t) -> t.at).thenComparingLong(t -> t.seq)).orElse(null);
                if (next != null) {
                    tasks.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            if (next.at.isAfter(clock.instant())) {
                clock.set(next.at);
            }
            next.fire();
        }
        if (target.isAfter(clock.instant())) {
            clock.set(target);
        }
    }

    /** Runs the tasks due now. */
    public void runDueTasks() {
        advance(Duration.ZERO);
    }

    /** How many tasks wait to run (cancelled ones excluded). */
    public synchronized int pendingTasks() {
        return (int) tasks.stream().filter(t -> !t.isCancelled()).count();
    }

    /**
     * Waits until at least {@code n} tasks are pending (scheduled by another thread), without sleeping.
     *
     * @throws AssertionError if they are not within {@code timeout}
     */
    public synchronized void awaitPendingTasks(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pendingTasks() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + pendingTasks() + " of " + n + " tasks scheduled within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    private synchronized <V> Task<V> add(Task<V> task) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("scheduler is shut down");
        }
        task.seq = sequence++;
        tasks.add(task);
        notifyAll();
        return task;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(new Task<>(Executors.callable(command), at(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(new Task<>(callable, at(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return add(new Task<>(Executors.callable(command), at(initialDelay, unit), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
            TimeUnit unit) {
        return add(new Task<>(Executors.callable(command), at(initialDelay, unit), unit.toNanos(delay)));
    }

    private Instant at(long delay, TimeUnit unit) {
        return clock.instant().plusNanos(unit.toNanos(Math.max(0, delay)));
    }

    @Override
    public void execute(Runnable command) {
        synchronized (this) {
            if (shutdown) {
                throw new java.util.concurrent.RejectedExecutionException("scheduler is shut down");
            }
        }
        command.run();
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(tasks);
        tasks.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isShutdown();
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        private Instant at;
        private final long periodNanos;
        private long seq;

        Task(Callable<V> callable, Instant at, long periodNanos) {
            super(callable);
            this.at = at;
            this.periodNanos = periodNanos;
        }

        void fire() {
            if (periodNanos == 0) {
                run();
            } else if (runAndReset()) {
                at = at.plusNanos(periodNanos);
                add(this);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), at).toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
