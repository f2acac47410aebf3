package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.Secret;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No remote trial process outlives what owns it: what a trial leaves in its process group ends with it, and the trial
 * processes of a run whose JVM was killed (SIGKILL) end before a new run runs their trials again.
 */
class RemotePlatformProcessesTest {
    private static final Duration T = Duration.ofSeconds(30);

    @TempDir
    static Path shared;
    static MinaServer server;

    @TempDir
    Path dir;
    private final List<RemotePlatform> platforms = new ArrayList<>();
    private final List<ProcessHandle> mine = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = MinaServer.start(shared.resolve("host.key"), List.of());
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeAll() {
        platforms.forEach(RemotePlatform::close);
        mine.forEach(ProcessHandle::destroyForcibly);
    }

    private static RemotePlatformOptions options(Path dir, int port, String command) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("bg.sh"), "sleep 600 & echo $! > \"$NNI_SYS_DIR/child.pid\"\n"
                // The trial ends only once its second child is in a session of its own (setsid has run).
                + "setsid sh -c 'echo $$ > \"$NNI_SYS_DIR/own-session.pid\"; exec sleep 600' &\n"
                + "while [ ! -s \"$NNI_SYS_DIR/own-session.pid\" ]; do sleep 0.01; done\n");
        Files.writeString(code.resolve("long.sh"), "echo $$ > \"$NNI_SYS_DIR/trial.pid\"\n"
                + "while :; do echo \"NNISDK_MEb'" + metric("666") + "'\"; sleep 0.05; done\n");
        Files.writeString(code.resolve("new.sh"), "sleep 0.3; echo \"NNISDK_MEb'" + metric("1") + "'\"\n");
        RemoteMachine m = RemoteMachine.withPassword("127.0.0.1", port, MinaServer.USER,
                Secret.of(MinaServer.PASSWORD)).withMaxConcurrentTrials(2)
                .withRemoteDirectory(dir.resolve("m").toString());
        return RemotePlatformOptions.of("exp1", command, code, List.of(m))
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(2));
    }

    private static String metric(String value) {
        return "{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"" + value + "\\\"}";
    }

    private static TrialSpec spec(String id) {
        return new TrialSpec(TrialId.of(id), 0, 1, new Parameters(Map.of("x", 1)));
    }

    private RemotePlatform started(RemotePlatformOptions o, RecordingSink sink) {
        RemotePlatform p = RemotePlatform.create(o);
        platforms.add(p);
        p.start(sink);
        return p;
    }

    private ProcessHandle process(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " is gone"));
        mine.add(h);
        return h;
    }

    @Test
    void whatARemoteTrialLeftRunningInItsProcessGroupEndsWithIt() throws Exception {
        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(dir, server.port(), "sh bg.sh"), sink);
        p.submit(spec("bg1"));
        assertThat(sink.awaitEnded(TrialId.of("bg1"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        Path sys = dir.resolve("m/exp1/trials/bg1");
        ProcessHandle child = process(sys.resolve("child.pid"));
        ProcessHandle ownSession = process(sys.resolve("own-session.pid"));

        child.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        // Both were signalled at once, if at all: a child that started a session of its own is left running.
        assertThat(ownSession.isAlive()).isTrue();
    }

    /** A run in another JVM: starts trial r1 on the machine, says RUNNING with its pid, and waits to be killed. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CountDownLatch running = new CountDownLatch(1);
        RemotePlatform p = RemotePlatform.create(options(dir, Integer.parseInt(args[1]), "sh long.sh"));
        p.start(e -> {
            if (e instanceof TrialEvent.MetricReported) {
                running.countDown();
            }
        });
        p.submit(spec("r1"));
        running.await();
        System.out.println("RUNNING " + Files.readString(dir.resolve("m/exp1/trials/r1/trial.pid")).trim());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    @Test
    void aRunAfterOneWhoseJvmWasKilledEndsItsTrialProcessesBeforeRunningTheirTrialsAgain() throws Exception {
        ProcessHandle earlier = killedRun();
        assertThat(earlier.isAlive()).isTrue();

        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(dir, server.port(), "sh new.sh"), sink);
        earlier.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        p.submit(spec("r1"));
        assertThat(sink.awaitEnded(TrialId.of("r1"), T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(sink.eventsOf(TrialId.of("r1")).stream().filter(TrialEvent.MetricReported.class::isInstance)
                .map(e -> ((TrialEvent.MetricReported) e).metric().value())).containsExactly("1");
    }

    @Test
    void aTrialWhoseProcessesDiedWhileNoJvmRanRunsAgainOnResumeRatherThanFailing() throws Exception {
        ProcessHandle earlier = killedRun();
        // The machine loses the trial's whole process group too (killed, or the machine restarted): no end state.
        String group = Files.readString(dir.resolve("m/exp1/trials/.r1.launch")).trim().split(" ")[0];
        Process kill = new ProcessBuilder("kill", "-KILL", "--", "-" + group).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        earlier.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(dir.resolve("m/exp1/trials/r1/.nni/state")).doesNotExist();

        RecordingSink sink = new RecordingSink();
        RemotePlatform p = started(options(dir, server.port(), "sh new.sh"), sink);
        p.submit(spec("r1"));
        TrialEvent.Ended ended = sink.awaitEnded(TrialId.of("r1"), T);
        assertThat(ended.status()).as(ended.message()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(sink.eventsOf(TrialId.of("r1")).stream().filter(TrialEvent.MetricReported.class::isInstance)
                .map(e -> ((TrialEvent.MetricReported) e).metric().value())).containsExactly("1");
    }

    /** Runs trial r1 from another JVM, kills that JVM with SIGKILL, and returns the trial's process, still alive. */
    private ProcessHandle killedRun() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RemotePlatformProcessesTest.class.getName(), dir.toString(), String.valueOf(server.port()))
                .redirectErrorStream(true).start();
        ProcessHandle earlier = null;
        StringBuilder seen = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("RUNNING ")) {
                    earlier = ProcessHandle.of(Long.parseLong(line.substring(8).trim())).orElseThrow();
                    mine.add(earlier);
                    break;
                }
            }
        } finally {
            child.destroyForcibly(); // kill -9: the run's trial goes on on the machine
            child.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(earlier).as(seen.toString()).isNotNull();
        return earlier;
    }
}
