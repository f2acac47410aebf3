package dev.hybrid.dashboard;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.dashboard.internal.DashboardServer;
import dev.hybrid.dashboard.internal.ExperimentSource;
import dev.hybrid.dashboard.internal.HandleSource;
import dev.hybrid.dashboard.internal.HandleSteering;
import dev.hybrid.dashboard.internal.StoreSource;
import dev.hybrid.dashboard.internal.StoreSteering;
import dev.hybrid.store.StoreException;
import dev.hybrid.tuner.OptimizeMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A web page that shows an experiment as it runs — overview, trials, charts, a timeline per platform — and steers
 * it (stop, cancel a trial, raise its budgets), served by the JDK's HTTP server from this jar (echarts included, no
 * network needed). An application embedding Hybrid shows its experiment with:
 *
 * <pre>{@code
 * ExperimentHandle handle = experiment.start();
 * try (Dashboard dashboard = Dashboard.serve(experiment, DashboardOptions.defaults().withPort(8080))) {
 *     System.out.println("Dashboard: " + dashboard.url());
 *     handle.awaitCompletion(Duration.ofHours(1));
 * }
 * }</pre>
 *
 * <p>It listens on {@code 127.0.0.1} unless told otherwise; see {@link DashboardOptions#host()} for what another
 * address implies. Secrets of the experiment's config (passwords, tokens, keys) are never stored, so never shown.
 * Thread-safe; {@link #close()} is idempotent.
 *
 * <p>Serving reads the experiment and builds the page's first documents before it returns (about a second for an
 * experiment of 10,000 trials), and then again on a thread of its own after each change while someone looks at the
 * page, so that a request finds its answer ready.
 *
 * <p>Unless the application set it, serving sets the system property {@code sun.net.httpserver.nodelay} to
 * {@code true}: without it the JDK's HTTP server delays each small response by the client's delayed ACK (40 ms on
 * Linux). It takes effect if no {@code com.sun.net.httpserver} server ran in this JVM before.
 */
public final class Dashboard implements AutoCloseable {
    private final DashboardServer server;
    private final DashboardOptions options;

    private Dashboard(DashboardServer server, DashboardOptions options) {
        this.server = server;
        this.options = options;
    }

    /**
     * Serves the experiment stored in {@code experimentDir} ({@code <workingDirectory>/<id>}): one that runs in
     * another process (it updates as that process records trials, and its steering goes through the store's control
     * requests, which that process applies within about a second) or one that has ended.
     *
     * @throws StoreException if there is no experiment database there, or it cannot be read
     * @throws UncheckedIOException if the address cannot be bound (the port is taken, say)
     */
    public static Dashboard serve(Path experimentDir, DashboardOptions options) {
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(options, "options");
        StoreSource source = new StoreSource(experimentDir, options.clock(),
                Optional.of(new StoreSteering(experimentDir)));
        try {
            source.requireDatabase();
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return start(source, options);
    }

    /**
     * Serves experiment {@code experimentId} of the working directory {@code workingDirectory}, as
     * {@link #serve(Path, DashboardOptions)} serves {@code workingDirectory/experimentId}.
     *
     * @throws IllegalArgumentException if the id is not a plain folder name
     * @throws StoreException if there is no such experiment, or its database cannot be read
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static Dashboard serve(Path workingDirectory, String experimentId, DashboardOptions options) {
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        Objects.requireNonNull(experimentId, "experimentId");
        if (experimentId.isBlank() || experimentId.contains("/") || experimentId.contains("\\")
                || experimentId.startsWith(".")) {
            throw new IllegalArgumentException("experimentId must be a plain id, was '" + experimentId + "'");
        }
        return serve(workingDirectory.resolve(experimentId), options);
    }

    /**
     * Serves a started experiment of this process, with all its steering. One with a working directory is read from
     * its database (a reader of its own); one without, from its handle's snapshots.
     *
     * @throws IllegalStateException if the experiment was not started
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static Dashboard serve(Experiment experiment, DashboardOptions options) {
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(options, "options");
        ExperimentHandle handle = experiment.handle().orElseThrow(() -> new IllegalStateException(
                "experiment " + experiment.id() + " is not started: start it before serving it"));
        if (experiment.workingDirectory().isPresent()) {
            Path dir = experiment.workingDirectory().get().resolve(experiment.id());
            return start(new StoreSource(dir, options.clock(), Optional.of(new HandleSteering(handle))), options);
        }
        return start(new HandleSource(handle, experiment.optimizeMode(), options.clock()), options);
    }

    /**
     * Serves a running experiment of this process from its handle's snapshots. The handle does not tell whether the
     * experiment maximizes (assumed) or each trial's attempt: {@link #serve(Experiment, DashboardOptions)} knows.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static Dashboard serve(ExperimentHandle handle, DashboardOptions options) {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(options, "options");
        return start(new HandleSource(handle, OptimizeMode.MAXIMIZE, options.clock()), options);
    }

    private static Dashboard start(ExperimentSource source, DashboardOptions options) {
        try {
            return new Dashboard(DashboardServer.start(source, options.host(), options.port(), options.clock()),
                    options);
        } catch (IOException e) {
            source.close();
            throw new UncheckedIOException("cannot serve the dashboard on " + options.host() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The page's address. Off loopback it carries the token that every request needs: give it only to people who
     * may see and steer the experiment.
     */
    public URI url() {
        return server.url(options.host());
    }

    /** The port it listens on (the one chosen, for port 0). */
    public int port() {
        return server.port();
    }

    /** Whether every request needs the token of {@link #url()}: when it listens on a non-loopback address. */
    public boolean requiresToken() {
        return server.requiresToken();
    }

    /** Stops serving and releases the database reader. Idempotent. */
    @Override
    public void close() {
        server.close();
    }
}
