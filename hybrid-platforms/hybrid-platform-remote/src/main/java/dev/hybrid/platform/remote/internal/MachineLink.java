package dev.hybrid.platform.remote.internal;

import dev.hybrid.platform.remote.RemoteMachine;
import dev.hybrid.ssh.internal.KnownHosts;
import dev.hybrid.ssh.internal.SshConnection;
import dev.hybrid.ssh.internal.SshSession;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link to one machine: its one SSH connection (an {@link SshSession}, the connection code the Slurm platform's
 * login node uses too), the code upload, and the monitor channel through which trials are started, signalled and
 * watched. When the connection drops it reconnects after the session's exponential back-off, starts a new monitor
 * and asks its {@link Listener} what to re-attach. Messages from the machine reach the listener on this link's
 * reader thread, in the order the machine sent them.
 */
public final class MachineLink {
    private static final Logger log = LoggerFactory.getLogger(MachineLink.class);

    /** The state of a link. */
    public enum State { CONNECTING, UP, DOWN, FAILED, CLOSED }

    /** What a link reports; called on the link's own thread. */
    public interface Listener {
        /** A monitor message about a trial. */
        void onMessage(MachineLink link, MonitorReader.Message message);

        /** The lines to send to a new monitor: re-attach running trials, start waiting ones, signal cancelled ones. */
        List<String> reattach(MachineLink link);

        /** The link came up (first connect or reconnect). */
        void onUp(MachineLink link);

        /** The link went down; {@code lost} once it has been down longer than allowed. */
        void onDown(MachineLink link, String cause, boolean lost);
    }

    /** How a link connects and what it uploads. */
    public record Setup(KnownHosts knownHosts, CodeArchive archive, String envScript, boolean useSdk,
            String experimentId, Duration connectTimeout, Duration keepAlive, Duration backoff, Duration maxBackoff,
            Duration lostAfter, Duration pollInterval) {
        public Setup {
            Objects.requireNonNull(knownHosts, "knownHosts");
            Objects.requireNonNull(archive, "archive");
            Objects.requireNonNull(envScript, "envScript");
            Objects.requireNonNull(experimentId, "experimentId");
        }
    }

    /** What the first command prints, proving that the login shell runs commands. */
    private static final String SHELL_PROBE = "hybrid-shell-ok";

    private final RemoteMachine machine;
    private final SshSession session;
    private final Setup setup;
    private final Listener listener;
    private final Executor io;
    private final ScheduledExecutorService timer;
    private final Clock clock;
    private final String root;
    private final Object writeLock = new Object();
    private volatile State state = State.CONNECTING;
    private volatile String lastError = "not connected yet";
    /** The connection the monitor runs on, while the link is up. */
    private volatile SshConnection connection;
    private volatile SshConnection.Stream monitor;
    private volatile OutputStream monitorIn;
    private volatile Instant downSince;
    private volatile boolean lostReported;
    private volatile boolean reached;
    private volatile CountDownLatch monitorEnded = new CountDownLatch(0);
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> lostTimer;

    public MachineLink(RemoteMachine machine, Setup setup, Listener listener, Executor io,
            ScheduledExecutorService timer, Clock clock) {
        this.machine = Objects.requireNonNull(machine, "machine");
        this.setup = Objects.requireNonNull(setup, "setup");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.io = Objects.requireNonNull(io, "io");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.session = new SshSession(new SshConnection.Target(machine.host(), machine.port(), machine.user(),
                machine.password(), machine.keyFile(), machine.passphrase()), setup.knownHosts(),
                setup.connectTimeout(), setup.keepAlive(), new SshSession.Backoff(setup.backoff(), setup.maxBackoff()),
                clock);
        this.root = machine.remoteDirectory().replaceAll("/+$", "") + "/" + setup.experimentId();
    }

    public RemoteMachine machine() {
        return machine;
    }

    public State state() {
        return state;
    }

    public boolean isUp() {
        return state == State.UP;
    }

    /** Why the link is not up, in plain words (never a secret). */
    public String lastError() {
        return lastError;
    }

    /** {@code user@host:port}. */
    public String describe() {
        return session.target().describe();
    }

    /** The experiment's folder on the machine. */
    public String root() {
        return root;
    }

    /** Makes the first connection attempt; completes when it succeeded or failed (and a retry is scheduled). */
    public CompletableFuture<Boolean> connect() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        try {
            io.execute(() -> attempt(done));
        } catch (RejectedExecutionException e) {
            done.complete(false);
        }
        return done;
    }

    private void attempt(CompletableFuture<Boolean> firstResult) {
        if (state == State.CLOSED) {
            firstResult.complete(false);
            return;
        }
        SshConnection conn = null;
        boolean connected = false;
        try {
            conn = session.connect();
            connected = true;
            reached = true;
            prepare(conn);
            SshConnection.Stream s = conn.stream("exec bash " + SshConnection.quote(root + "/.hybrid/monitor.sh")
                    + " " + SshConnection.quote(root) + " " + tickSeconds() + " " + LaunchToken.JVM,
                    setup.connectTimeout());
            MonitorReader reader = new MonitorReader(s.stdout());
            MonitorReader.Message hello = reader.next();
            if (!hello.kind().equals("ready")) {
                throw new IOException("the monitor did not start: " + s.stderr().strip());
            }
            synchronized (this) {
                if (state == State.CLOSED) {
                    s.close();
                    session.close();
                    firstResult.complete(false);
                    return;
                }
                connection = conn;
                monitor = s;
                monitorIn = s.stdin();
                monitorEnded = new CountDownLatch(1);
                state = State.UP;
                session.resetBackoff();
                downSince = null;
                lostReported = false;
                if (lostTimer != null) {
                    lostTimer.cancel(false);
                    lostTimer = null;
                }
            }
            log.info("Machine {} is up ({})", describe(), root);
            listener.onUp(this);
            for (String line : listener.reattach(this)) {
                send(line);
            }
            firstResult.complete(true);
            readLoop(reader, s);
        } catch (SshSession.Unreachable e) {
            failed(e.reason(), e.isPermanent(), firstResult);
        } catch (IOException | RuntimeException e) {
            session.drop(conn);
            log.debug("Machine {}: attempt failed", describe(), e);
            failed(connected ? "connected, but " + e.getMessage() : String.valueOf(e.getMessage()), false,
                    firstResult);
        }
    }

    /**
     * Whether the machine is given up on: down for longer than {@code lostAfter} (and not back), or refused for good
     * (authentication, host key).
     */
    public synchronized boolean isLost() {
        return state == State.FAILED || (state == State.DOWN && lostReported);
    }

    /** Whether an SSH connection to the machine was ever made (its failures are then of setup, not of reach). */
    public boolean wasReached() {
        return reached;
    }

    private String tickSeconds() {
        return String.format(Locale.ROOT, "%.3f", setup.pollInterval().toNanos() / 1e9);
    }

    /** Uploads the code and Hybrid's scripts unless this machine already has this experiment's copy. */
    private void prepare(SshConnection conn) throws IOException {
        String digest = setup.archive().digest() + "-" + Integer.toHexString(setup.envScript().hashCode());
        String r = SshConnection.quote(root);
        // Every command goes through sh: the login shell may be csh or fish, whose syntax differs.
        SshConnection.Result have = conn.exec("sh -c " + SshConnection.quote("echo " + SHELL_PROBE + "; cat " + r
                + "/.hybrid/ready 2>/dev/null; true"), new byte[0], setup.connectTimeout());
        int probe = have.stdout().indexOf(SHELL_PROBE + "\n");
        if (probe < 0) {
            throw new IOException(noCommandsRun(have));
        }
        if (have.stdout().substring(probe + SHELL_PROBE.length() + 1).trim().equals(digest)) {
            log.debug("Machine {} already has the experiment's code", describe());
            return;
        }
        StringBuilder cmd = new StringBuilder();
        cmd.append("set -e; umask 022; r=").append(r).append("; t=\"$r/.upload.$$\"; ");
        cmd.append("mkdir -p \"$r/trials\"; rm -rf \"$t\"; mkdir -p \"$t\"; tar -xzf - -C \"$t\"; ");
        cmd.append("rm -rf \"$r/nni-code\" \"$r/.hybrid\"; mv \"$t/nni-code\" \"$r/nni-code\"; ");
        cmd.append("mv \"$t/.hybrid\" \"$r/.hybrid\"; rmdir \"$t\"; ");
        cmd.append("printf '%s' ").append(SshConnection.quote(setup.envScript())).append(" > \"$r/.hybrid/env.sh\"; ");
        // No probe of the machine's python3 decides this: the trial's interpreter may be another. The module
        // loads the real nni package in its place wherever the trial's interpreter has one.
        if (setup.useSdk()) {
            cmd.append(": > \"$r/.hybrid/use-sdk\"; ");
        }
        cmd.append("printf '%s' ").append(SshConnection.quote(digest)).append(" > \"$r/.hybrid/ready\"");
        SshConnection.Result up = conn.exec("sh -c " + SshConnection.quote(cmd.toString()), setup.archive()::writeTo,
                setup.connectTimeout().plusSeconds(120));
        if (up.exitCode() != 0) {
            throw new IOException("cannot unpack the code in " + root + " (exit code " + up.exitCode() + "): "
                    + up.stderr().strip());
        }
        log.info("Uploaded the code ({} files, {} bytes) to {}:{}", setup.archive().fileCount(),
                setup.archive().size(), describe(), root);
    }

    /**
     * Why the account's login shell ran no command: a {@code nologin} shell, or startup files (such as a
     * {@code .bashrc} that calls {@code exit}) that end the shell before the command runs.
     */
    private String noCommandsRun(SshConnection.Result r) {
        String said = (r.stdout() + " " + r.stderr()).strip().replaceAll("\\s+", " ");
        if (said.length() > 200) {
            said = said.substring(0, 200) + "...";
        }
        return "the login shell of " + machine.user() + " runs no commands (a test command gave exit code "
                + r.exitCode() + (said.isEmpty() ? " and no output" : " and printed: " + said) + "); check that the"
                + " account's shell is not nologin or false, and that its startup files (~/.bashrc, ~/.profile)"
                + " do not exit when the shell is not interactive";
    }

    private void readLoop(MonitorReader reader, SshConnection.Stream s) {
        String cause;
        try {
            while (true) {
                MonitorReader.Message m = reader.next();
                if (m.trial().equals("-")) {
                    continue;
                }
                listener.onMessage(this, m);
            }
        } catch (EOFException e) {
            String err = s.stderr().strip();
            cause = "the connection closed" + (err.isEmpty() ? "" : ": " + err);
        } catch (IOException | RuntimeException e) {
            cause = "the connection broke: " + e.getMessage();
        } finally {
            monitorEnded.countDown();
        }
        dropped(cause);
    }

    private void dropped(String cause) {
        SshConnection conn;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.DOWN;
            lastError = cause;
            conn = connection;
            connection = null;
            monitor = null;
            monitorIn = null;
            downSince = clock.instant();
            scheduleLost();
        }
        session.drop(conn);
        log.warn("Machine {}: {}; reconnecting", describe(), cause);
        listener.onDown(this, cause, false);
        scheduleRetry();
    }

    private void failed(String cause, boolean permanent, CompletableFuture<Boolean> firstResult) {
        boolean wasUpOrFirst;
        synchronized (this) {
            if (state == State.CLOSED) {
                firstResult.complete(false);
                return;
            }
            wasUpOrFirst = state == State.CONNECTING;
            lastError = cause;
            state = permanent ? State.FAILED : State.DOWN;
            if (downSince == null) {
                downSince = clock.instant();
            }
            scheduleLost();
        }
        // The first attempt's failure is reported once, by the platform (which knows whether the others are up).
        if (wasUpOrFirst) {
            log.debug("Machine {}: {}{}", describe(), cause, permanent ? "; not retrying" : "; retrying");
        } else if (permanent) {
            log.error("Machine {}: {}; not retrying", describe(), cause);
        } else {
            log.debug("Machine {}: reconnection failed: {}", describe(), cause);
        }
        listener.onDown(this, cause, false);
        firstResult.complete(false);
        if (!permanent) {
            scheduleRetry();
        }
    }

    private synchronized void scheduleLost() {
        if (lostTimer != null || lostReported) {
            return;
        }
        try {
            lostTimer = timer.schedule(this::checkLost, setup.lostAfter().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void checkLost() {
        String cause;
        synchronized (this) {
            lostTimer = null;
            if (state == State.UP || state == State.CLOSED || lostReported) {
                return;
            }
            lostReported = true;
            cause = "unreachable since " + downSince + ": " + lastError;
        }
        listener.onDown(this, cause, true);
    }

    private synchronized void scheduleRetry() {
        if (state == State.CLOSED) {
            return;
        }
        Duration wait = session.backoff();
        try {
            retry = timer.schedule(() -> {
                try {
                    io.execute(() -> attempt(new CompletableFuture<>()));
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Sends one command line to the monitor. Returns false when the link is down: the command is then carried by the
     * re-attach after the reconnect.
     */
    public boolean send(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a monitor command is one line");
        }
        OutputStream out = monitorIn;
        if (out == null) {
            return false;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                out.write(bytes);
                out.flush();
                return true;
            } catch (IOException e) {
                // The reader notices the broken connection too and reconnects.
                log.debug("Machine {}: cannot send to the monitor: {}", describe(), e.toString());
                return false;
            }
        }
    }

    /** Drops the connection as if the network had failed (for tests of reconnection). */
    public void breakConnection() {
        session.current().ifPresent(SshConnection::close);
    }

    /**
     * Closes the link: sends {@code finalLines} (signals for the trials still running), tells the monitor to exit,
     * waits up to {@code wait} for it to finish, and disconnects. Idempotent.
     */
    public void close(List<String> finalLines, Duration wait) {
        SshConnection conn;
        CountDownLatch ended;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            if (retry != null) {
                retry.cancel(false);
            }
            if (lostTimer != null) {
                lostTimer.cancel(false);
            }
            conn = connection;
            ended = monitorEnded;
        }
        if (conn != null) {
            for (String l : finalLines) {
                send(l);
            }
            send("exit");
        }
        synchronized (this) {
            state = State.CLOSED;
        }
        if (conn != null) {
            try {
                ended.await(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            SshConnection.Stream s = monitor;
            if (s != null) {
                s.close();
            }
        }
        session.close();
    }

    /** Reads what a short command prints on the machine (for diagnostics and tests). */
    public Optional<SshConnection.Result> run(String command, Duration timeout) {
        SshConnection c = connection;
        if (c == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(c.exec(command, new byte[0], timeout));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Reads an input stream fully; for scripts shipped as resources. */
    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
