package dev.hybrid.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.ssh.HostKeyPolicy;
import dev.hybrid.testkit.FakeClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The back-off between connection attempts, against a loopback port where nothing listens. */
class SshSessionTest {
    @TempDir
    Path dir;
    final FakeClock clock = new FakeClock();

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private SshSession session(int port, Optional<Path> key) {
        SshConnection.Target target = new SshConnection.Target("127.0.0.1", port, "me", key.isPresent()
                ? Optional.empty() : Optional.of(dev.hybrid.config.Secret.of("pw")), key, Optional.empty());
        return new SshSession(target, new KnownHosts(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW),
                Duration.ofSeconds(5), Duration.ofSeconds(5),
                new SshSession.Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4)), clock);
    }

    @Test
    void aFailedAttemptMakesCallsFailAtOnceUntilTheBackoffHasPassed() throws Exception {
        try (SshSession ssh = session(closedPort(), Optional.empty())) {
            SshSession.Unreachable first = catchThrowableOfType(SshSession.Unreachable.class,
                    () -> ssh.run(c -> "never"));
            assertThat(first.reason()).isEqualTo("connection refused");
            assertThat(first.getMessage()).startsWith("me@127.0.0.1:");
            assertThat(first.isPermanent()).isFalse();

            IOException waiting = catchThrowableOfType(IOException.class, () -> ssh.run(c -> "never"));
            assertThat(waiting).isNotInstanceOf(SshSession.Unreachable.class);
            assertThat(waiting.getMessage()).contains("connection refused").contains("next attempt at");

            clock.advance(Duration.ofSeconds(1));
            assertThat(catchThrowableOfType(IOException.class, () -> ssh.run(c -> "never")))
                    .isInstanceOf(SshSession.Unreachable.class);
            // The second failure doubles the wait.
            clock.advance(Duration.ofSeconds(1));
            assertThat(catchThrowableOfType(IOException.class, () -> ssh.run(c -> "never")))
                    .isNotInstanceOf(SshSession.Unreachable.class);
            clock.advance(Duration.ofSeconds(1));
            assertThat(catchThrowableOfType(IOException.class, () -> ssh.run(c -> "never")))
                    .isInstanceOf(SshSession.Unreachable.class);
        }
    }

    @Test
    void theBackoffDoublesUpToItsMaximumAndResets() throws Exception {
        try (SshSession ssh = session(closedPort(), Optional.empty())) {
            assertThat(ssh.backoff()).isEqualTo(Duration.ofSeconds(1));
            assertThat(ssh.backoff()).isEqualTo(Duration.ofSeconds(2));
            assertThat(ssh.backoff()).isEqualTo(Duration.ofSeconds(4));
            assertThat(ssh.backoff()).isEqualTo(Duration.ofSeconds(4));
            ssh.resetBackoff();
            assertThat(ssh.backoff()).isEqualTo(Duration.ofSeconds(1));
        }
    }

    @Test
    void aMissingKeyFileIsPermanent() throws Exception {
        try (SshSession ssh = session(closedPort(), Optional.of(dir.resolve("no-such-key")))) {
            SshSession.Unreachable e = catchThrowableOfType(SshSession.Unreachable.class, ssh::connect);
            assertThat(e.isPermanent()).isTrue();
            assertThat(e.reason()).startsWith("SSH key file ");
        }
    }

    @Test
    void aClosedSessionRefusesCalls() throws Exception {
        SshSession ssh = session(closedPort(), Optional.empty());
        ssh.close();
        ssh.close();

        IOException e = catchThrowableOfType(IOException.class, ssh::connect);
        assertThat(e.getMessage()).contains("is closed");
        assertThat(ssh.current()).isEmpty();
    }
}
