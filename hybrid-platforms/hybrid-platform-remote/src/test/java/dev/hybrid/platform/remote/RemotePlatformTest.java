package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.KeyPair;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The remote platform against in-process SSH servers: logins, uploads, reconnection, unreachable machines. */
class RemotePlatformTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    static MinaServer server;
    static Path userKey;

    @TempDir
    Path dir;
    private final List<RemotePlatform> platforms = new ArrayList<>();
    private final List<MinaServer> extraServers = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        JSch jsch = new JSch();
        KeyPair kp = KeyPair.genKeyPair(jsch, KeyPair.RSA, 2048);
        userKey = shared.resolve("id_rsa");
        try (FileOutputStream out = new FileOutputStream(userKey.toFile())) {
            kp.writePrivateKey(out, "key-pass".getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream pub = new ByteArrayOutputStream();
        kp.writePublicKey(pub, "test");
        PublicKey key = AuthorizedKeyEntry.parseAuthorizedKeyEntry(pub.toString(StandardCharsets.UTF_8).trim())
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        server = MinaServer.start(shared.resolve("host.key"), List.of(key));
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        platforms.forEach(RemotePlatform::close);
        for (MinaServer s : extraServers) {
            s.close();
        }
    }

    private Path code() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
        return code;
    }

    private RemoteMachine machine(MinaServer s, String name, int slots) {
        return RemoteMachine.withPassword("127.0.0.1", s.port(), MinaServer.USER, Secret.of(MinaServer.PASSWORD))
                .withMaxConcurrentTrials(slots).withRemoteDirectory(dir.resolve(name).toString());
    }

    private RemotePlatformOptions options(List<RemoteMachine> machines) throws Exception {
        return RemotePlatformOptions.of("exp1", "sh trial.sh", code(), machines)
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(2))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(5))
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

    private static TrialSpec spec(String id, String scenario) {
        return new TrialSpec(TrialId.of(id), 0, 7, new Parameters(Map.of("scenario", scenario)));
    }

    /** The Ended event of a trial, whenever it arrived (the sink's cursor is not used). */
    static TrialEvent.Ended ended(RecordingSink sink, TrialId id, Duration timeout) {
        return (TrialEvent.Ended) sink.awaitCount(e -> e instanceof TrialEvent.Ended && e.trial().equals(id), 1,
                timeout).get(0);
    }

    /** The Started event of a trial, whenever it arrived. */
    static TrialEvent.Started started(RecordingSink sink, TrialId id, Duration timeout) {
        return (TrialEvent.Started) sink.awaitCount(e -> e instanceof TrialEvent.Started && e.trial().equals(id), 1,
                timeout).get(0);
    }

    private static List<TrialEvent.MetricReported> metrics(RecordingSink sink, String id) {
        return sink.eventsOf(TrialId.of(id)).stream().filter(TrialEvent.MetricReported.class::isInstance)
                .map(TrialEvent.MetricReported.class::cast).toList();
    }

    @Test
    void aKeyWithPassphraseLogsInAndTheTrialGetsItsDirectorySharedCodeAndEnvironment() throws Exception {
        Files.writeString(code().resolve(".nniignore"), "data/\n*.log\n!keep.log\n");
        Files.createDirectories(code().resolve("data"));
        Files.writeString(code().resolve("data/big.bin"), "x");
        Files.writeString(code().resolve("debug.log"), "x");
        Files.writeString(code().resolve("keep.log"), "x");
        RemoteMachine m = new RemoteMachine("127.0.0.1", server.port(), MinaServer.USER, Optional.empty(),
                Optional.of(userKey), Optional.of(Secret.of("key-pass")), Optional.empty(), 1, false,
                Optional.of("/opt/my-python/bin"), Optional.empty(), Optional.empty(),
                dir.resolve("m").toString());
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(m)).withCommand("sh trial.sh; echo \"PATH=$PATH\";"
                + " echo \"PLATFORM=$NNI_PLATFORM SEQ=$NNI_TRIAL_SEQ_ID\"; pwd"), sink);
        p.submit(spec("k1", "succeed"));

        TrialEvent.Ended end = ended(sink, TrialId.of("k1"), T);

        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        Path sys = dir.resolve("m/exp1/trials/k1");
        assertThat(Files.readString(sys.resolve("parameter.cfg")))
                .isEqualTo("{\"parameter_id\":7,\"parameter_source\":\"algorithm\",\"parameters\":{\"scenario\":"
                        + "\"succeed\"},\"parameter_index\":0}");
        String out = Files.readString(sys.resolve("stdout"));
        assertThat(out).contains("hello from k1 on remote").contains("PATH=/opt/my-python/bin:")
                .contains("PLATFORM=remote SEQ=0").contains(dir.resolve("m/exp1/nni-code").toString());
        // The trial ran in the experiment's one copy of the code: no copy per trial.
        Path shared = dir.resolve("m/exp1/nni-code");
        assertThat(sys.resolve("code")).doesNotExist();
        assertThat(shared.resolve("trial.sh")).exists();
        assertThat(shared.resolve("keep.log")).exists();
        assertThat(shared.resolve("debug.log")).doesNotExist();
        assertThat(shared.resolve("data")).doesNotExist();
        assertThat(Files.readString(sys.resolve(".nni/state"))).matches("0 \\d{13}\\n");
        assertThat(Files.readString(dir.resolve("known_hosts"))).startsWith("[127.0.0.1]:" + server.port() + " ");
    }

    @Test
    void metricsReachTheExperimentWithin200Milliseconds() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m", 1)))
                .withCommand("i=0; while [ $i -lt 15 ]; do t=$(date +%s%3N); echo \"NNISDK_MEb'{\\\"type\\\": "
                        + "\\\"PERIODICAL\\\", \\\"sequence\\\": $i, \\\"value\\\": \\\"$t\\\"}'\"; i=$((i+1));"
                        + " sleep 0.1; done"), sink);
        p.submit(spec("lat", "none"));
        ended(sink, TrialId.of("lat"), T);

        List<Long> delays = new ArrayList<>();
        for (TrialEvent.MetricReported m : metrics(sink, "lat")) {
            delays.add(m.metric().at().toEpochMilli() - Long.parseLong(m.metric().value()));
        }
        assertThat(delays).hasSize(15);
        delays.sort(null);
        assertThat(delays.get(delays.size() - 2)).as("second-worst delay of %s", delays).isLessThan(200);
    }

    @Test
    void aFinalResultPrintedAfterABurstOfOutputAndTwoHundredThousandFramesAllArrive() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m", 2))), sink);
        p.submit(spec("burst", "burst"));
        p.submit(spec("frames", "frames"));

        assertThat(ended(sink, TrialId.of("burst"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(Files.size(dir.resolve("m/exp1/trials/burst/stdout"))).isGreaterThan(24_000_000L);
        assertThat(metrics(sink, "burst")).extracting(m -> m.metric().value()).containsExactly("0.75");

        assertThat(ended(sink, TrialId.of("frames"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<TrialEvent.MetricReported> metrics = metrics(sink, "frames");
        assertThat(metrics).hasSize(200_001);
        for (int i = 0; i < 200_000; i++) {
            if (metrics.get(i).metric().sequence() != i || !metrics.get(i).metric().value().equals(String.valueOf(i))) {
                throw new AssertionError("intermediate #" + i + " is " + metrics.get(i));
            }
        }
        assertThat(metrics.get(200_000).metric().type()).isEqualTo(MetricType.FINAL);
        assertThat(metrics.get(200_000).metric().value()).isEqualTo("0.25");
    }

    @Test
    void aDroppedConnectionIsRemadeAndRunningTrialsResumeWithoutLosingOrRepeatingAMetric() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m", 2))), sink);
        p.submit(spec("t1", "ticks"));
        p.submit(spec("t2", "ticks"));
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && e.trial().value().equals("t1"), 10, T);

        server.restart();
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && e.trial().value().equals("t2"), 40, T);
        p.breakConnection(0);

        for (String id : List.of("t1", "t2")) {
            assertThat(ended(sink, TrialId.of(id), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
            List<Integer> file = new ArrayList<>();
            List<Integer> stdout = new ArrayList<>();
            for (TrialEvent.MetricReported m : metrics(sink, id)) {
                if (m.metric().type() == MetricType.FINAL) {
                    continue;
                }
                (m.metric().sequence() >= 1000 ? stdout : file).add(m.metric().sequence());
            }
            List<Integer> expected = new ArrayList<>();
            List<Integer> expectedOut = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                expected.add(i);
                expectedOut.add(1000 + i);
            }
            assertThat(file).as("metrics of %s from .nni/metrics", id).isEqualTo(expected);
            assertThat(stdout).as("metrics of %s from stdout", id).isEqualTo(expectedOut);
            assertThat(metrics(sink, id)).filteredOn(m -> m.metric().type() == MetricType.FINAL).hasSize(1);
            assertThat(sink.eventsOf(TrialId.of(id))).filteredOn(TrialEvent.Started.class::isInstance).hasSize(1);
        }
    }

    @Test
    void aTrialThatEndsWhileTheMachineIsUnreachableIsReportedAfterTheReconnect() throws Exception {
        MinaServer own = MinaServer.start(dir.resolve("own.key"), List.of());
        extraServers.add(own);
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(own, "m", 1)))
                .withCommand("sh trial.sh; while [ ! -e release ]; do sleep 0.02; done"), sink);
        p.submit(spec("w1", "succeed"));
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported, 3, T);

        own.stop();
        Files.writeString(dir.resolve("m/exp1/nni-code/release"), "");
        awaitFile(dir.resolve("m/exp1/trials/w1/.nni/state"));
        assertThat(p.freeSlots()).isZero();
        own.restart();

        assertThat(ended(sink, TrialId.of("w1"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(metrics(sink, "w1")).extracting(m -> m.metric().value()).containsExactly("1", "2", "3", "4");
        assertThat(p.freeSlots()).isEqualTo(1);
    }

    @Test
    void aMachineLostForTooLongEndsItsTrialsSystemCancelledWithAClearMessage() throws Exception {
        MinaServer own = MinaServer.start(dir.resolve("own.key"), List.of());
        extraServers.add(own);
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(own, "m", 1)))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(1)), sink);
        p.submit(spec("l1", "block"));
        started(sink, TrialId.of("l1"), T);
        long child = Long.parseLong(awaitFile(dir.resolve("m/exp1/trials/l1/child.pid")).trim());

        own.stop();
        TrialEvent.Ended end = ended(sink, TrialId.of("l1"), T);

        assertThat(end.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(end.message()).contains("127.0.0.1:" + own.port()).contains("unreachable");
        own.restart();
        // Back again, the machine's abandoned trial is killed.
        ProcessHandle.of(child).ifPresent(h -> h.onExit().orTimeout(20, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
    }

    @Test
    void cancelEndsTheWholeProcessTreeEvenAChildIgnoringSigtermAndCloseLeavesNoProcess() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m", 2))), sink);
        p.submit(spec("c1", "stubborn"));
        p.submit(spec("c2", "block"));
        started(sink, TrialId.of("c1"), T);
        started(sink, TrialId.of("c2"), T);
        long child1 = Long.parseLong(awaitFile(dir.resolve("m/exp1/trials/c1/child.pid")).trim());
        long child2 = Long.parseLong(awaitFile(dir.resolve("m/exp1/trials/c2/child.pid")).trim());

        p.cancel(TrialId.of("c1"));
        assertThat(ended(sink, TrialId.of("c1"), T).status()).isEqualTo(TrialStatus.USER_CANCELED);
        ProcessHandle.of(child1).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child1).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));

        p.close();
        ProcessHandle.of(child2).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child2).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        assertThat(ProcessHandle.allProcesses().filter(h -> h.info().commandLine().orElse("")
                .contains(dir.resolve("m").toString()))).isEmpty();
    }

    @Test
    void trialsSpreadOverMachinesMostFreeSlotsFirstAndFreeSlotsAreTheirSum() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "a", 1), machine(server, "b", 3))), sink);
        assertThat(p.freeSlots()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            p.submit(spec("s" + i, "block"));
        }
        assertThat(p.freeSlots()).isZero();
        for (int i = 0; i < 4; i++) {
            started(sink, TrialId.of("s" + i), T);
        }
        long onA = List.of(0, 1, 2, 3).stream()
                .filter(i -> Files.exists(dir.resolve("a/exp1/trials/.s" + i + ".launch")))
                .count();
        assertThat(onA).isEqualTo(1);
        assertThatThrownBy(() -> p.submit(spec("s9", "block"))).isInstanceOf(PlatformException.class)
                .hasMessageContaining("no free slot");
    }

    @Test
    void aFailingTrialReportsItsExitCodeAndTheEndOfStderr() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "m", 1))), sink);
        p.submit(spec("f1", "fail"));

        TrialEvent.Ended end = ended(sink, TrialId.of("f1"), T);

        assertThat(end.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(end.exitCode()).contains(3);
        assertThat(end.message()).contains("exit code 3").contains("something went wrong");
    }

    @Test
    void anUnreachableMachineIsReportedAndTheOthersGoOn() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RemoteMachine dead = RemoteMachine.withPassword("127.0.0.1", closed, "nobody", Secret.of("pw-never-shown"))
                .withRemoteDirectory(dir.resolve("dead").toString());
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(dead, machine(server, "m", 2))), sink);

        assertThat(p.freeSlots()).isEqualTo(2);
        assertThat(p.machineStates().get("nobody@127.0.0.1:" + closed)).contains("connection refused");
        p.submit(spec("u1", "succeed"));
        p.submit(spec("u2", "succeed"));
        assertThat(ended(sink, TrialId.of("u1"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(ended(sink, TrialId.of("u2"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void eachFailureToConnectSaysWhyWithHostAndPortAndNeverThePassword() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RemoteMachine refused = RemoteMachine.withPassword("127.0.0.1", closed, "u", Secret.of("pw-never-shown"));
        assertThatThrownBy(() -> started(options(List.of(refused)), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("u@127.0.0.1:" + closed + ": connection refused")
                .hasMessageNotContaining("pw-never-shown");

        // A port that accepts connections but never answers (the kernel queues them; nobody speaks SSH).
        try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            RemoteMachine mute = RemoteMachine.withPassword("127.0.0.1", silent.getLocalPort(), "u",
                    Secret.of("pw-never-shown"));
            assertThatThrownBy(() -> started(options(List.of(mute)).withConnectTimeout(Duration.ofMillis(500)),
                    new RecordingSink()))
                    .isInstanceOf(PlatformException.class)
                    .hasMessageContaining("u@127.0.0.1:" + silent.getLocalPort() + ": timed out after 500 ms");
        }

        RemoteMachine wrong = RemoteMachine.withPassword("127.0.0.1", server.port(), MinaServer.USER,
                Secret.of("pw-never-shown"));
        assertThatThrownBy(() -> started(options(List.of(wrong)), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining(MinaServer.USER + "@127.0.0.1:" + server.port()
                        + ": authentication failed for user " + MinaServer.USER)
                .hasMessageNotContaining("pw-never-shown");

        // A machine reinstalled since its key was recorded answers with another host key.
        MinaServer own = MinaServer.start(dir.resolve("own.key"), List.of());
        extraServers.add(own);
        started(options(List.of(machine(own, "m", 1))), new RecordingSink()).close();
        Path knownHosts = dir.resolve("known_hosts");
        assertThat(Files.readString(knownHosts)).contains("[127.0.0.1]:" + own.port() + " ");
        own.restartWithHostKey(dir.resolve("other.key"));
        assertThatThrownBy(() -> started(options(List.of(machine(own, "m", 1))), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("tester@127.0.0.1:" + own.port() + ": host key changed")
                .hasMessageContaining(knownHosts.toString());

        assertThatThrownBy(() -> started(options(List.of(machine(server, "m", 1)))
                .withHostKeys(dir.resolve("empty_known_hosts"), HostKeyPolicy.STRICT), new RecordingSink()))
                .isInstanceOf(PlatformException.class)
                .hasMessageContaining("unknown host key")
                .hasMessageContaining(dir.resolve("empty_known_hosts").toString());
    }

    /** Waits for a file to appear with content, on file-system events (no sleeping). */
    private static String awaitFile(Path f) throws Exception {
        Path parent = f.getParent();
        Files.createDirectories(parent);
        try (java.nio.file.WatchService w = parent.getFileSystem().newWatchService()) {
            parent.register(w, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + T.toNanos();
            while (true) {
                if (Files.exists(f) && !Files.readString(f).isBlank()) {
                    return Files.readString(f);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(f + " did not appear within " + T);
                }
                java.nio.file.WatchKey k = w.poll(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS);
                if (k != null) {
                    k.pollEvents();
                    k.reset();
                }
            }
        }
    }

    @Test
    void aReachableButBrokenMachineIsQuarantinedAndTrialsGoToTheOther() throws Exception {
        // Both machines are this host; the one whose trials live under "broken" cannot run them.
        String command = "case \"$NNI_SYS_DIR\" in */broken/*) echo 'python3: command not found' >&2; exit 127;; "
                + "esac; sleep 60";
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(List.of(machine(server, "broken", 4), machine(server, "good", 2)))
                .withCommand(command), sink);
        assertThat(p.freeSlots()).isEqualTo(6);

        for (int i = 0; i < 3; i++) {
            TrialId id = TrialId.of("q" + i);
            p.submit(spec(id.value(), "any"));
            assertThat(ended(sink, id, T).status()).isEqualTo(TrialStatus.FAILED);
        }

        // Three fast failures in a row while the other machine is fine: only the good machine's slots count.
        assertThat(p.freeSlots()).isEqualTo(2);
        p.submit(spec("q3", "any"));
        started(sink, TrialId.of("q3"), T);
        // The trial started on the good machine (its launch file or folder is there), and never on the broken one.
        assertThat(dir.resolve("good")).isDirectoryRecursivelyContaining(f -> f.getFileName().toString()
                .contains("q3"));
        try (var onBroken = Files.walk(dir.resolve("broken"))) {
            assertThat(onBroken.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains("q3"));
        }
        assertThat(p.freeSlots()).isEqualTo(1);
    }
}
