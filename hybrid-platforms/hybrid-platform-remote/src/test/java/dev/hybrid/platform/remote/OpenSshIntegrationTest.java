package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.SearchSpace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote platform against real OpenSSH servers on loopback ports (three of them acting as three machines), with
 * ed25519 keys. Skipped where {@code /usr/sbin/sshd} is not installed; {@code .ci/run} installs it.
 */
@Tag("openssh")
class OpenSshIntegrationTest {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path key;
    private final List<OpenSshServer> servers = new ArrayList<>();
    private final List<RemotePlatform> platforms = new ArrayList<>();

    @BeforeEach
    void keys() throws Exception {
        OpenSshServer.assumeInstalled();
        key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
    }

    @AfterEach
    void stop() throws Exception {
        platforms.forEach(RemotePlatform::close);
        for (OpenSshServer s : servers) {
            s.close();
        }
    }

    private OpenSshServer server(String name) throws Exception {
        OpenSshServer s = OpenSshServer.start(dir.resolve(name), key);
        servers.add(s);
        return s;
    }

    private RemoteMachine machine(OpenSshServer s, String name, int slots) {
        return RemoteMachine.withKey("127.0.0.1", s.port(), OpenSshServer.user(), key).withMaxConcurrentTrials(slots)
                .withRemoteDirectory(dir.resolve("machines/" + name).toString());
    }

    private RemotePlatformOptions options(List<RemoteMachine> machines) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
        return RemotePlatformOptions.of("itest", "sh trial.sh", code, machines)
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(2))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(2))
                .withKeepAliveInterval(Duration.ofSeconds(1));
    }

    private RemotePlatform started(RemotePlatformOptions o, RecordingSink sink) throws InterruptedException {
        RemotePlatform p = RemotePlatform.create(o);
        platforms.add(p);
        p.start(sink);
        // These tests look at every machine; start returns once the first one is ready.
        assertThat(p.awaitFirstAttempts(T)).isTrue();
        return p;
    }

    private static int count(RecordingSink sink, Class<?> type) {
        return (int) sink.events().stream().filter(type::isInstance).count();
    }

    @Test
    void thirtyTrialsSpreadOverThreeMachinesAndEachEndsOnceWithEveryMetricOnceThoughOneSshdIsKilled()
            throws Exception {
        OpenSshServer a = server("a");
        OpenSshServer b = server("b");
        OpenSshServer c = server("c");
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(a, "a", 3), machine(b, "b", 3), machine(c, "c", 3))),
                sink);
        assertThat(p.freeSlots()).isEqualTo(9);

        int submitted = 0;
        boolean killed = false;
        boolean restarted = false;
        while (count(sink, TrialEvent.Ended.class) < 30) {
            while (submitted < 30 && p.freeSlots() > 0) {
                p.submit(new TrialSpec(TrialId.of("o" + submitted), submitted, submitted,
                        new Parameters(Map.of("scenario", "short"))));
                submitted++;
            }
            int ended = count(sink, TrialEvent.Ended.class);
            if (!killed && ended >= 6) {
                b.kill();
                killed = true;
            } else if (killed && !restarted && ended >= 12) {
                b.restart();
                restarted = true;
            }
            sink.awaitCount(TrialEvent.Ended.class::isInstance, ended + 1, T);
        }

        assertThat(restarted).isTrue();
        for (int i = 0; i < 30; i++) {
            TrialId id = TrialId.of("o" + i);
            List<TrialEvent> events = sink.eventsOf(id);
            assertThat(events).filteredOn(TrialEvent.Started.class::isInstance).as("Started of %s", id).hasSize(1);
            assertThat(events).filteredOn(TrialEvent.Ended.class::isInstance).as("Ended of %s", id).hasSize(1)
                    .allSatisfy(e -> assertThat(((TrialEvent.Ended) e).status()).isEqualTo(TrialStatus.SUCCEEDED));
            List<Integer> sequences = events.stream().filter(TrialEvent.MetricReported.class::isInstance)
                    .map(e -> ((TrialEvent.MetricReported) e).metric())
                    .filter(m -> m.type() == MetricType.PERIODICAL).map(m -> m.sequence()).sorted().toList();
            List<Integer> expected = new ArrayList<>();
            for (int k = 0; k < 10; k++) {
                expected.add(k);
            }
            for (int k = 0; k < 10; k++) {
                expected.add(1000 + k);
            }
            assertThat(sequences).as("intermediate metrics of %s", id).isEqualTo(expected);
            assertThat(events).filteredOn(e -> e instanceof TrialEvent.MetricReported m
                    && m.metric().type() == MetricType.FINAL).as("final metric of %s", id).hasSize(1);
        }
        p.close();
        assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("")
                .contains(dir.resolve("machines").toString())).map(h -> h.info().commandLine().orElse("")))
                .as("processes of ours left on the machines").isEmpty();
        for (String m : List.of("a", "b", "c")) {
            try (var s = Files.list(dir.resolve("machines/" + m + "/itest/trials"))) {
                assertThat(s.filter(f -> Files.isDirectory(f)).count()).as("trials on machine %s", m).isPositive();
            }
        }
    }

    @Test
    void aWrongPasswordAClosedPortAndAChangedHostKeyEachSayWhy() throws Exception {
        OpenSshServer a = server("a");
        RemoteMachine wrong = RemoteMachine.withPassword("127.0.0.1", a.port(), OpenSshServer.user(),
                Secret.of("not-the-password"));
        assertThatThrownBy(() -> started(options(List.of(wrong)), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("127.0.0.1:" + a.port() + ": authentication failed for user "
                        + OpenSshServer.user())
                .hasMessageNotContaining("not-the-password");

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RemoteMachine nobody = RemoteMachine.withKey("127.0.0.1", closed, OpenSshServer.user(), key);
        assertThatThrownBy(() -> started(options(List.of(nobody)), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("127.0.0.1:" + closed + ": connection refused");

        RecordingSink sink = new RecordingSink();
        RemotePlatform first = started(options(List.of(machine(a, "a", 1))), sink);
        first.submit(new TrialSpec(TrialId.of("k0"), 0, 0, new Parameters(Map.of("scenario", "succeed"))));
        assertThat(RemotePlatformTest.ended(sink, TrialId.of("k0"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        first.close();
        a.restartWithNewHostKey();
        assertThatThrownBy(() -> started(options(List.of(machine(a, "a", 1))), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("127.0.0.1:" + a.port() + ": host key changed")
                .hasMessageContaining(dir.resolve("known_hosts").toString());
    }

    private static Path lockedKey(Path file, String passphrase) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-f",
                file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        return file;
    }

    @Test
    void anEncryptedKeyWithoutItsPassphraseIsReportedAsNeedingOneAndWorksWithIt() throws Exception {
        Path locked = lockedKey(dir.resolve("locked_ed25519"), "key-words");
        OpenSshServer s = OpenSshServer.start(dir.resolve("locked"), locked);
        servers.add(s);
        RemoteMachine without = RemoteMachine.withKey("127.0.0.1", s.port(), OpenSshServer.user(), locked)
                .withRemoteDirectory(dir.resolve("machines/l").toString());
        assertThatThrownBy(() -> started(options(List.of(without)), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("SSH key file " + locked + " is encrypted and needs a passphrase")
                .hasMessageNotContaining("authentication failed");

        RemoteMachine with = new RemoteMachine("127.0.0.1", s.port(), OpenSshServer.user(), Optional.empty(),
                Optional.of(locked), Optional.of(Secret.of("key-words")), Optional.empty(), 1, false,
                Optional.empty(), Optional.empty(), Optional.empty(), dir.resolve("machines/l").toString());
        RecordingSink sink = new RecordingSink();
        started(options(List.of(with)), sink).submit(new TrialSpec(TrialId.of("e1"), 0, 0,
                new Parameters(Map.of("scenario", "succeed"))));
        assertThat(RemotePlatformTest.ended(sink, TrialId.of("e1"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void aLoginShellThatRunsNoCommandsIsNamedAndNotCalledUnreachable() throws Exception {
        // sshd runs every command through the account's shell; a ForceCommand plays a nologin shell, and one that
        // exits at once plays a ~/.bashrc that calls exit.
        for (String force : List.of("/usr/sbin/nologin", "exit 0")) {
            OpenSshServer s = OpenSshServer.start(dir.resolve("shell" + servers.size()), key,
                    List.of("ForceCommand " + force));
            servers.add(s);
            assertThatThrownBy(() -> started(options(List.of(machine(s, "s", 1))), new RecordingSink()))
                    .as("ForceCommand %s", force)
                    .isInstanceOf(PlatformException.class)
                    .hasMessageContaining("no machine could be set up for trials")
                    .hasMessageContaining("127.0.0.1:" + s.port() + ": connected, but the login shell of "
                            + OpenSshServer.user() + " runs no commands")
                    .hasMessageNotContaining("could be reached")
                    .hasMessageNotContaining("Uploaded");
        }
    }

    @Test
    void aRefusedLoginIsLoggedOnceOnOneLineWithoutAStackTrace() throws Exception {
        OpenSshServer s = server("once");
        Path stranger = OpenSshServer.keygen(dir.resolve("stranger_ed25519"));
        RemoteMachine m = RemoteMachine.withKey("127.0.0.1", s.port(), OpenSshServer.user(), stranger)
                .withRemoteDirectory(dir.resolve("machines/once").toString());
        RemotePlatform platform = RemotePlatform.create(options(List.of(m)));
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ExperimentStatus status;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (Experiment e = Experiment.builder()
                .searchSpace(SearchSpace.parse("{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"null\"]}}"))
                .tuner("Random", Map.of()).maxTrialNumber(1).platform(platform).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(T)).isTrue();
            status = h.status();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        assertThat(status).isEqualTo(ExperimentStatus.ERROR);
        assertThat(log.lines().filter(l -> l.contains("authentication failed")).toList()).as(log).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("ERROR").contains("127.0.0.1:" + s.port()));
        assertThat(log.lines().filter(l -> l.startsWith("\tat ") || l.contains("Exception:")).toList()).as(log)
                .isEmpty();
    }

    @Test
    void inHybridModeARemoteChildThatCannotBeSetUpIsLeftOutAndTheOthersRunTheExperiment() throws Exception {
        OpenSshServer s = OpenSshServer.start(dir.resolve("nologin"), key, List.of("ForceCommand /usr/sbin/nologin"));
        servers.add(s);
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(s, "n", 2))));
        dev.hybrid.platform.InProcessPlatform inProcess = dev.hybrid.platform.InProcessPlatform.create(
                (params, reporter) -> reporter.reportFinal(1.0), 2);
        try (Experiment e = Experiment.builder()
                .searchSpace(SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}"))
                .tuner("Random", Map.of()).trialConcurrency(2).maxTrialNumber(4).platforms(inProcess, remote)
                .build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            assertThat(h.trials()).hasSize(4).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
                assertThat(t.platform()).isNotEqualTo("remote");
            });
        }
    }
}
