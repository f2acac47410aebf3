package dev.hybrid.platform.remote;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH {@code sshd} on a loopback port, started by the test as a child process with its own config, host
 * key and authorized key (ed25519), acting as one remote machine. It never touches the system's sshd or port 22.
 * {@link #kill()} ends the listener and every connection it serves, as a crash would; trials started through it (in
 * sessions of their own) go on.
 */
public final class OpenSshServer implements AutoCloseable {
    static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Path dir;
    private final int port;
    private final List<String> extraConfig;
    private Process process;

    private OpenSshServer(Path dir, int port, List<String> extraConfig) {
        this.dir = dir;
        this.port = port;
        this.extraConfig = List.copyOf(extraConfig);
    }

    /** Skips the calling test when OpenSSH's server is not installed. */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(SSHD) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen")),
                "OpenSSH server not installed (/usr/sbin/sshd); .ci/run installs it");
    }

    public static String user() {
        return System.getProperty("user.name");
    }

    /** Makes an ed25519 key pair at {@code file} (and {@code file.pub}). */
    public static Path keygen(Path file) throws Exception {
        run("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "hybrid-test", "-f", file.toString());
        return file;
    }

    /** Starts a server in {@code dir} (host key made on first use) authorising {@code userKey}'s public half. */
    public static OpenSshServer start(Path dir, Path userKey) throws Exception {
        return start(dir, userKey, List.of());
    }

    /**
     * Starts a server as {@link #start(Path, Path)} does, with more {@code sshd_config} lines (a {@code ForceCommand}
     * that plays a login shell that runs no commands, say).
     */
    public static OpenSshServer start(Path dir, Path userKey, List<String> extraConfig) throws Exception {
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OpenSshServer server = new OpenSshServer(dir, port, extraConfig);
        Files.copy(Path.of(userKey + ".pub"), dir.resolve("authorized_keys"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        server.launch();
        return server;
    }

    public int port() {
        return port;
    }

    private void launch() throws Exception {
        Path hostKey = dir.resolve("host_ed25519");
        if (!Files.exists(hostKey)) {
            keygen(hostKey);
        }
        List<String> lines = new java.util.ArrayList<>(extraConfig);
        lines.add("");
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", lines) + String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin yes",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "MaxSessions 50",
                "MaxStartups 50",
                "LogLevel INFO",
                ""));
        // sshd insists on its privilege-separation directory even when run by hand.
        if (user().equals("root")) {
            Files.createDirectories(Path.of("/run/sshd"));
        }
        process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    if (seen.length() < 4000) {
                        seen.append(line).append('\n');
                    }
                    if (line.contains("Server listening on")) {
                        listening.complete(line);
                    }
                }
            } catch (IOException e) {
                // process gone
            }
            listening.completeExceptionally(new IllegalStateException("sshd exited: " + seen));
        }, "sshd-log-" + port);
        t.setDaemon(true);
        t.start();
        listening.get(20, TimeUnit.SECONDS);
    }

    /** Ends the listener and all its connections at once, as a crashed server would. */
    public void kill() throws Exception {
        if (process == null) {
            return;
        }
        List<ProcessHandle> sshds = process.descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/sshd") || c.endsWith("sshd-session"))
                        .orElse(false))
                .toList();
        process.destroyForcibly();
        for (ProcessHandle h : sshds) {
            h.destroyForcibly();
        }
        process.onExit().get(10, TimeUnit.SECONDS);
        for (ProcessHandle h : sshds) {
            h.onExit().get(10, TimeUnit.SECONDS);
        }
        process = null;
    }

    /** Starts again on the same port with the same keys. */
    public void restart() throws Exception {
        kill();
        launch();
    }

    /** Starts again on the same port with a new host key, as a reinstalled machine would. */
    public void restartWithNewHostKey() throws Exception {
        kill();
        Files.delete(dir.resolve("host_ed25519"));
        Files.delete(dir.resolve("host_ed25519.pub"));
        launch();
    }

    @Override
    public void close() throws Exception {
        kill();
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
