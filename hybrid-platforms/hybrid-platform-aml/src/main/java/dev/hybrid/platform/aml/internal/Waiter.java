package dev.hybrid.platform.aml.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waits between retries; {@link #close()} ends every wait at once, so that closing never waits out a backoff. */
public final class Waiter implements AutoCloseable {
    private final CountDownLatch closed = new CountDownLatch(1);

    /** Waits {@code d}; returns false when closed (now or during the wait). */
    public boolean await(Duration d) {
        try {
            return !closed.await(Math.max(0, d.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean isClosed() {
        return closed.getCount() == 0;
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
