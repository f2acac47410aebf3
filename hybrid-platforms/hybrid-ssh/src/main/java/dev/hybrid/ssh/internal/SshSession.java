package dev.hybrid.ssh.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;

/**
 * One SSH connection to one host that is opened when first needed and opened again when it has dropped: a call that
 * fails because the connection went away is tried once more on a new one. Thread-safe; calls share the connection
 * (each runs as a channel of it).
 */
public final class SshSession implements AutoCloseable {
    private final SshConnection.Target target;
    private final KnownHosts knownHosts;
    private final Duration connectTimeout;
    private final Duration keepAlive;
    private SshConnection connection;
    private boolean closed;

    /** What is done with the connection. */
    @FunctionalInterface
    public interface Call<T> {
        T on(SshConnection connection) throws IOException;
    }

    public SshSession(SshConnection.Target target, KnownHosts knownHosts, Duration connectTimeout,
            Duration keepAlive) {
        this.target = Objects.requireNonNull(target, "target");
        this.knownHosts = Objects.requireNonNull(knownHosts, "knownHosts");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.keepAlive = Objects.requireNonNull(keepAlive, "keepAlive");
    }

    public SshConnection.Target target() {
        return target;
    }

    /**
     * Runs {@code call} on the connection, connecting first if needed; when the call fails and the connection has
     * dropped, connects again and runs it once more.
     *
     * @throws IOException when the host cannot be reached or logged in to (the message says why, with
     *     {@code user@host:port} and never a secret), or the call fails on a connection that is up
     */
    public <T> T run(Call<T> call) throws IOException {
        SshConnection c = connection();
        try {
            return call.on(c);
        } catch (IOException e) {
            if (c.isConnected()) {
                throw e;
            }
            drop(c);
            return call.on(connection());
        }
    }

    private synchronized SshConnection connection() throws IOException {
        if (closed) {
            throw new IOException("the SSH connection to " + target.describe() + " is closed");
        }
        if (connection == null || !connection.isConnected()) {
            if (connection != null) {
                connection.close();
            }
            try {
                connection = SshConnection.open(target, knownHosts, connectTimeout, keepAlive);
            } catch (SshConnection.ConnectFailure e) {
                throw new IOException(target.describe() + ": " + e.getMessage(), e);
            }
        }
        return connection;
    }

    private synchronized void drop(SshConnection c) {
        if (connection == c) {
            c.close();
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
