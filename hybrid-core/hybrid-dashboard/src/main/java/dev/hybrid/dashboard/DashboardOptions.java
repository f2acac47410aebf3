package dev.hybrid.dashboard;

import java.time.Clock;
import java.util.Objects;

/**
 * Where a {@link Dashboard} listens.
 *
 * @param host the address to bind: a loopback address (the default, {@code 127.0.0.1}) keeps the page on this
 *     machine; any other address makes every request need the random token that {@link Dashboard#url()} carries,
 *     and logs a warning
 * @param port the port, 0 for any free one
 * @param clock the clock that ages the page's view of running trials
 */
public record DashboardOptions(String host, int port, Clock clock) {
    /** The default address: loopback only. */
    public static final String LOOPBACK = "127.0.0.1";

    public DashboardOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clock, "clock");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, was " + port);
        }
    }

    /** Loopback, any free port. */
    public static DashboardOptions defaults() {
        return new DashboardOptions(LOOPBACK, 0, Clock.systemUTC());
    }

    /** A copy with another port. */
    public DashboardOptions withPort(int newPort) {
        return new DashboardOptions(host, newPort, clock);
    }

    /** A copy with another address to bind. */
    public DashboardOptions withHost(String newHost) {
        return new DashboardOptions(newHost, port, clock);
    }
}
