package dev.hybrid.ssh.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The one SSH connection to one host that the remote platform (a machine) and the Slurm platform (a login node)
 * keep: opened when first needed, opened again when it has dropped, with an exponential back-off between failed
 * attempts, host keys checked through {@link KnownHosts}. Thread-safe; calls share the connection (each runs as a
 * channel of it).
 *
 * <p>Two ways to use it: {@link #run} for short calls (a call that fails because the connection went away is tried
 * once more on a new one; while the back-off after a failed attempt lasts, calls fail at once with the last cause),
 * or {@link #connect}, {@link #drop} and {@link #backoff} for a caller that keeps a channel open and schedules its own
 * reconnects.
 */
public final class SshSession implements AutoCloseable {
    private final SshConnection.Target target;
    private final KnownHosts knownHosts;
    private final Duration connectTimeout;
    private final Duration keepAlive;
    private final Backoff backoff;
    private final Clock clock;
    /** Held while a connection is being opened, so that {@link #close} need not wait for it. */
    private final Object opening = new Object();
    private SshConnection connection;
    private Duration nextBackoff;
    private Instant retryAt = Instant.MIN;
    private String lastFailure = "";
    private boolean closed;

    /** What is done with the connection. */
    @FunctionalInterface
    public interface Call<T> {
        T on(SshConnection connection) throws IOException;
    }

    /** The waits between failed connection attempts: {@code initial}, doubled after each failure up to {@code max}. */
    public record Backoff(Duration initial, Duration max) {
        public Backoff {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("0 <= initial <= max must hold, was " + initial + ", " + max);
            }
        }
    }

    /** A connection attempt failed; {@link #isPermanent()} when only a change of credentials or keys can help. */
    public static final class Unreachable extends IOException {
        private final String reason;
        private final boolean permanent;

        Unreachable(String reason, String message, boolean permanent, Throwable cause) {
            super(message, cause);
            this.reason = reason;
            this.permanent = permanent;
        }

        /** Why, without the {@code user@host:port} that the message starts with. */
        public String reason() {
            return reason;
        }

        /** Whether trying again cannot help (credentials refused, host key changed or unknown, unusable key). */
        public boolean isPermanent() {
            return permanent;
        }
    }

    public SshSession(SshConnection.Target target, KnownHosts knownHosts, Duration connectTimeout,
            Duration keepAlive, Backoff backoff, Clock clock) {
        this.target = Objects.requireNonNull(target, "target");
        this.knownHosts = Objects.requireNonNull(knownHosts, "knownHosts");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.nextBackoff = backoff.initial();
    }

    public SshConnection.Target target() {
        return target;
    }

    /**
     * Runs {@code call} on the connection, connecting first if needed; when the call fails and the connection has
     * dropped, connects again and runs it once more.
     *
     * @throws IOException when the host cannot be reached or logged in to, or the back-off after such a failure has
     *     not yet passed (the message says why, with {@code user@host:port} and never a secret), or the call fails on
     *     a connection that is up
     */
    public <T> T run(Call<T> call) throws IOException {
        SshConnection c = connectUnlessBackingOff();
        try {
            return call.on(c);
        } catch (IOException e) {
            if (c.isConnected()) {
                throw e;
            }
            drop(c);
            return call.on(connectUnlessBackingOff());
        }
    }

    private SshConnection connectUnlessBackingOff() throws IOException {
        synchronized (this) {
            if (!closed && (connection == null || !connection.isConnected()) && clock.instant().isBefore(retryAt)) {
                throw new IOException(target.describe() + ": " + lastFailure + "; next attempt at " + retryAt);
            }
        }
        try {
            SshConnection c = connect();
            resetBackoff();
            return c;
        } catch (Unreachable e) {
            synchronized (this) {
                retryAt = clock.instant().plus(backoff());
            }
            throw e;
        }
    }

    /**
     * The connection, opened now if there is none or it has dropped; one attempt at a time, and {@link #close} does
     * not wait for it. The back-off is left as it is: the caller resets it once the connection serves
     * ({@link #resetBackoff}).
     *
     * @throws Unreachable when it cannot be opened (the message names {@code user@host:port} and the cause)
     * @throws IOException when the session is closed
     */
    public SshConnection connect() throws IOException {
        synchronized (opening) {
            synchronized (this) {
                if (closed) {
                    throw new IOException("the SSH connection to " + target.describe() + " is closed");
                }
                if (connection != null && connection.isConnected()) {
                    return connection;
                }
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
            }
            SshConnection opened;
            try {
                opened = SshConnection.open(target, knownHosts, connectTimeout, keepAlive);
            } catch (SshConnection.ConnectFailure e) {
                synchronized (this) {
                    lastFailure = e.getMessage();
                }
                throw new Unreachable(e.getMessage(), target.describe() + ": " + e.getMessage(), e.isPermanent(), e);
            }
            synchronized (this) {
                if (closed) {
                    opened.close();
                    throw new IOException("the SSH connection to " + target.describe() + " is closed");
                }
                connection = opened;
                return opened;
            }
        }
    }

    /** The connection serves: the next wait before a reconnect is the initial back-off again. */
    public synchronized void resetBackoff() {
        nextBackoff = backoff.initial();
        retryAt = Instant.MIN;
    }

    /** The connection when it is open; never opens one. */
    public synchronized Optional<SshConnection> current() {
        return connection != null && connection.isConnected() ? Optional.of(connection) : Optional.empty();
    }

    /** Closes {@code c} if it is still this session's connection (it broke, or its user is done with it). */
    public synchronized void drop(SshConnection c) {
        if (connection == c && c != null) {
            c.close();
            connection = null;
        }
    }

    /**
     * How long to wait before the next connection attempt: the initial back-off after a connection was up, doubled by
     * each call (each failed attempt) up to the maximum.
     */
    public synchronized Duration backoff() {
        Duration wait = nextBackoff;
        Duration doubled = nextBackoff.multipliedBy(2);
        nextBackoff = doubled.compareTo(backoff.max()) > 0 ? backoff.max() : doubled;
        return wait;
    }

    /** Closes the connection; calls after this fail. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
