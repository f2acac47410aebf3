package dev.hybrid.ssh.internal;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UIKeyboardInteractive;
import com.jcraft.jsch.UserInfo;
import dev.hybrid.config.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One SSH connection to one machine (a JSch session), shared by everything done there: short commands and the
 * long-lived monitor channel run as channels of this one session. Thread-safe: channels may be opened concurrently.
 */
public final class SshConnection implements AutoCloseable {
    /** How to reach and log in to a machine. */
    public record Target(String host, int port, String user, Optional<Secret> password, Optional<Path> keyFile,
            Optional<Secret> passphrase) {
        public Target {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(keyFile, "keyFile");
            Objects.requireNonNull(passphrase, "passphrase");
        }

        /** {@code user@host:port}, for messages. */
        public String describe() {
            return user + "@" + host + ":" + port;
        }
    }

    /** A connection could not be made; the message says why in plain words and never holds a secret. */
    public static final class ConnectFailure extends Exception {
        private final boolean authentication;
        private final boolean hostKey;

        ConnectFailure(String message, boolean authentication, Throwable cause) {
            this(message, authentication, false, cause);
        }

        private ConnectFailure(String message, boolean authentication, boolean hostKey, Throwable cause) {
            super(message, cause);
            this.authentication = authentication;
            this.hostKey = hostKey;
        }

        /** Whether the server refused the credentials (retrying will not help until they change). */
        public boolean isAuthentication() {
            return authentication;
        }

        /**
         * Whether trying again cannot help until someone acts: refused credentials, an unusable key file, a host key
         * that changed or is unknown under a strict policy.
         */
        public boolean isPermanent() {
            return authentication || hostKey;
        }
    }

    /** What a finished command gave. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    private final Session session;
    private final Target target;

    private SshConnection(Session session, Target target) {
        this.session = session;
        this.target = target;
    }

    /**
     * Connects and logs in.
     *
     * @throws ConnectFailure saying what went wrong: authentication failed, connection refused, timed out, host key
     *     changed or unknown, no such host
     */
    public static SshConnection open(Target target, KnownHosts knownHosts, Duration connectTimeout,
            Duration keepAlive) throws ConnectFailure {
        JSch jsch = new JSch();
        jsch.setHostKeyRepository(knownHosts);
        Session session;
        try {
            if (target.keyFile().isPresent()) {
                Path key = target.keyFile().get();
                java.util.Optional<String> problem = KeyFiles.problem(key, target.passphrase());
                if (problem.isPresent()) {
                    throw new ConnectFailure("SSH key file " + key + " " + problem.get(), true, null);
                }
                byte[] pass = target.passphrase().map(s -> s.reveal().getBytes(StandardCharsets.UTF_8)).orElse(null);
                jsch.addIdentity(key.toString(), pass);
            }
            session = jsch.getSession(target.user(), target.host(), target.port());
        } catch (JSchException e) {
            throw new ConnectFailure(keyProblem(e, target), true, e);
        }
        target.password().ifPresent(p -> session.setPassword(p.reveal()));
        session.setUserInfo(new PasswordOnly(target.password()));
        session.setConfig("StrictHostKeyChecking", "yes");
        session.setConfig("PreferredAuthentications", target.password().isPresent()
                ? "password,keyboard-interactive,publickey" : "publickey");
        session.setConfig("MaxAuthTries", "3");
        try {
            session.setServerAliveInterval((int) keepAlive.toMillis());
            session.setServerAliveCountMax(3);
            session.connect((int) connectTimeout.toMillis());
        } catch (JSchException e) {
            session.disconnect();
            throw classify(e, target, knownHosts, connectTimeout);
        }
        return new SshConnection(session, target);
    }

    private static String keyProblem(JSchException e, Target target) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("invalid privatekey") || m.contains("passphrase") || m.contains("decrypt")) {
            return "cannot use SSH key " + target.keyFile().map(Path::toString).orElse("")
                    + ": the key is invalid or its passphrase is wrong";
        }
        return "cannot use SSH key " + target.keyFile().map(Path::toString).orElse("") + ": " + m;
    }

    private static ConnectFailure classify(JSchException e, Target target, KnownHosts knownHosts, Duration timeout) {
        Throwable cause = e.getCause();
        String m = String.valueOf(e.getMessage());
        KnownHosts.Verdict v = knownHosts.lastVerdict();
        if (v == KnownHosts.Verdict.CHANGED && (m.contains("HostKey") || m.contains("changed")
                || e.getClass().getSimpleName().contains("HostKey"))) {
            return new ConnectFailure("host key changed: the server's key differs from the one recorded for "
                    + KnownHosts.hostName(target.host(), target.port()) + " in " + knownHosts.file()
                    + "; if the machine was reinstalled, remove that line from " + knownHosts.file(), false, true, e);
        }
        if (v == KnownHosts.Verdict.UNKNOWN && (m.contains("UnknownHostKey") || m.contains("reject HostKey"))) {
            return new ConnectFailure("unknown host key: " + KnownHosts.hostName(target.host(), target.port())
                    + " is not in " + knownHosts.file() + " and hostKeyPolicy is strict; add its key there (ssh-keyscan)"
                    + " or use hostKeyPolicy: accept-new", false, true, e);
        }
        if (m.startsWith("Auth fail") || m.contains("Auth cancel") || m.contains("USERAUTH fail")) {
            return new ConnectFailure("authentication failed for user " + target.user() + " ("
                    + (target.password().isPresent() ? "password" : "key " + target.keyFile().map(Path::toString)
                            .orElse("")) + ")", true, e);
        }
        if (cause instanceof ConnectException) {
            return new ConnectFailure("connection refused", false, e);
        }
        if (cause instanceof UnknownHostException) {
            return new ConnectFailure("unknown host name " + target.host(), false, e);
        }
        if (cause instanceof NoRouteToHostException) {
            return new ConnectFailure("no route to host", false, e);
        }
        if (cause instanceof SocketTimeoutException || m.contains("timeout") || m.contains("timed out")) {
            return new ConnectFailure("timed out after " + timeout.toMillis() + " ms", false, e);
        }
        if (m.contains("Connection refused")) {
            return new ConnectFailure("connection refused", false, e);
        }
        return new ConnectFailure("SSH connection failed: " + m, false, e);
    }

    /** Whether the session is still up. */
    public boolean isConnected() {
        return session.isConnected();
    }

    public Target target() {
        return target;
    }

    /**
     * Runs a command to completion, feeding it {@code stdin}.
     *
     * @throws IOException if the channel fails or the command does not finish within {@code timeout}
     */
    public Result exec(String command, byte[] stdin, Duration timeout) throws IOException {
        return exec(command, out -> out.write(stdin), timeout);
    }

    /** What a command reads on its standard input, written as the command runs. */
    @FunctionalInterface
    public interface Input {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Runs a command to completion, streaming {@code stdin} to it (the timeout counts from when the input is written,
     * so a large upload is not cut short).
     *
     * @throws IOException if the channel fails, {@code stdin} throws, or the command does not finish within
     *     {@code timeout}
     */
    public Result exec(String command, Input stdin, Duration timeout) throws IOException {
        ChannelExec ch = openExec(command);
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ch.setErrStream(err, true);
            InputStream out = ch.getInputStream();
            OutputStream in = ch.getOutputStream();
            ch.connect((int) Math.max(1, timeout.toMillis()));
            stdin.writeTo(in);
            in.flush();
            in.close();
            ByteArrayOutputStream collected = new ByteArrayOutputStream();
            long deadline = System.nanoTime() + timeout.toNanos();
            byte[] buf = new byte[8192];
            int n;
            while ((n = out.read(buf)) >= 0) {
                collected.write(buf, 0, n);
                if (System.nanoTime() > deadline) {
                    throw new IOException("command did not finish within " + timeout);
                }
            }
            // The exit status arrives just after the end of output. JSch offers no way to wait for it, and spinning
            // for it would hold a core for as long as a loaded machine takes to deliver it: park briefly instead.
            while (!ch.isClosed()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("command did not finish within " + timeout);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            return new Result(ch.getExitStatus(), collected.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } catch (JSchException e) {
            throw new IOException("cannot open a channel: " + e.getMessage(), e);
        } finally {
            ch.disconnect();
        }
    }

    /** A long-lived command whose stdin and stdout stay open: the monitor. */
    public static final class Stream implements AutoCloseable {
        private final ChannelExec channel;
        private final InputStream stdout;
        private final OutputStream stdin;
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        Stream(ChannelExec channel) throws IOException {
            this.channel = channel;
            channel.setErrStream(new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (stderr) {
                        if (stderr.size() < 8192) {
                            stderr.write(b);
                        }
                    }
                }
            }, true);
            this.stdout = channel.getInputStream();
            this.stdin = channel.getOutputStream();
        }

        public InputStream stdout() {
            return stdout;
        }

        public OutputStream stdin() {
            return stdin;
        }

        /** What the command wrote to stderr so far (the first 8 KiB). */
        public String stderr() {
            synchronized (stderr) {
                return stderr.toString(StandardCharsets.UTF_8);
            }
        }

        public boolean isClosed() {
            return channel.isClosed();
        }

        @Override
        public void close() {
            channel.disconnect();
        }
    }

    /** Starts a long-lived command. */
    public Stream stream(String command, Duration timeout) throws IOException {
        ChannelExec ch = openExec(command);
        try {
            Stream s = new Stream(ch);
            ch.connect((int) Math.max(1, timeout.toMillis()));
            return s;
        } catch (JSchException e) {
            ch.disconnect();
            throw new IOException("cannot open a channel: " + e.getMessage(), e);
        }
    }

    private ChannelExec openExec(String command) throws IOException {
        try {
            Channel c = session.openChannel("exec");
            ChannelExec ch = (ChannelExec) c;
            ch.setCommand(command);
            ch.setInputStream(null);
            return ch;
        } catch (JSchException e) {
            throw new IOException("cannot open a channel: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        session.disconnect();
    }

    /** Answers keyboard-interactive prompts with the password; never shows or logs it. */
    private static final class PasswordOnly implements UserInfo, UIKeyboardInteractive {
        private final Optional<Secret> password;

        PasswordOnly(Optional<Secret> password) {
            this.password = password;
        }

        @Override
        public String getPassphrase() {
            return null;
        }

        @Override
        public String getPassword() {
            return password.map(Secret::reveal).orElse(null);
        }

        @Override
        public boolean promptPassword(String message) {
            return password.isPresent();
        }

        @Override
        public boolean promptPassphrase(String message) {
            return false;
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {
        }

        @Override
        public String[] promptKeyboardInteractive(String destination, String name, String instruction,
                String[] prompt, boolean[] echo) {
            if (password.isEmpty() || prompt.length != 1) {
                return null;
            }
            return new String[] {password.get().reveal()};
        }
    }

    /** Quotes a word for a POSIX shell. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
