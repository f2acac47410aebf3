package dev.hybrid.platform.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.KeySetPublickeyAuthenticator;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * An SSH server in this JVM (Apache MINA SSHD) on a loopback port, acting as a remote machine: each exec request runs
 * as {@code /bin/sh -c <command>} on this machine, with the channel's streams piped to it. Password and public-key
 * logins for one user. A server may add environment variables to every command (its own {@code PATH}, say), so that
 * two servers look like two machines with different software.
 */
final class MinaServer implements AutoCloseable {
    static final String USER = "tester";
    static final String PASSWORD = "s3cret-pw";

    private Path hostKey;
    private final List<PublicKey> userKeys;
    private final Map<String, String> environment;
    private SshServer server;
    private int port;

    private MinaServer(Path hostKey, List<PublicKey> userKeys, Map<String, String> environment) {
        this.hostKey = hostKey;
        this.userKeys = List.copyOf(userKeys);
        this.environment = Map.copyOf(environment);
    }

    /** Starts a server on a free loopback port whose host key is kept in {@code hostKey} (made on first use). */
    static MinaServer start(Path hostKey, List<PublicKey> userKeys) throws IOException {
        return start(hostKey, userKeys, Map.of());
    }

    /** Starts a server whose commands see {@code environment} on top of this JVM's environment. */
    static MinaServer start(Path hostKey, List<PublicKey> userKeys, Map<String, String> environment)
            throws IOException {
        MinaServer s = new MinaServer(hostKey, userKeys, environment);
        s.listen(0);
        return s;
    }

    private void listen(int onPort) throws IOException {
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(onPort);
        sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(hostKey));
        sshd.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        sshd.setPublickeyAuthenticator((user, key, session) -> USER.equals(user)
                && new KeySetPublickeyAuthenticator("keys", userKeys).authenticate(user, key, session));
        sshd.setCommandFactory((channel, command) -> new ShellCommand(command, environment));
        sshd.start();
        server = sshd;
        port = sshd.getPort();
    }

    int port() {
        return port;
    }

    /** Stops listening and drops every connection at once, as a crashed server would. */
    void stop() throws IOException {
        if (server != null) {
            server.stop(true);
            server = null;
        }
    }

    /** Listens again on the same port with the same host key. */
    void restart() throws IOException {
        stop();
        listen(port);
    }

    /** Listens again on the same port with another host key, as a reinstalled machine would. */
    void restartWithHostKey(Path newHostKey) throws IOException {
        stop();
        hostKey = newHostKey;
        listen(port);
    }

    @Override
    public void close() throws IOException {
        stop();
    }

    /** One exec request: {@code /bin/sh -c command}, its streams pumped to and from the channel. */
    private static final class ShellCommand implements Command {
        private final String command;
        private final Map<String, String> extraEnvironment;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        ShellCommand(String command, Map<String, String> extraEnvironment) {
            this.command = Objects.requireNonNull(command, "command");
            this.extraEnvironment = extraEnvironment;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command);
            pb.environment().putAll(env.getEnv());
            pb.environment().putAll(extraEnvironment);
            process = pb.start();
            Thread o = pump(process.getInputStream(), out, "out");
            Thread e = pump(process.getErrorStream(), err, "err");
            Thread i = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (OutputStream to = process.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException ex) {
                    // the process or the channel went away
                }
            }, "mina-exec-in");
            i.setDaemon(true);
            i.start();
            Thread w = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    o.join();
                    e.join();
                    exit.onExit(code);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }, "mina-exec-wait");
            w.setDaemon(true);
            w.start();
        }

        private static Thread pump(InputStream from, OutputStream to, String name) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException ex) {
                    // channel closed
                }
            }, "mina-exec-" + name);
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.destroy();
            }
        }
    }
}
