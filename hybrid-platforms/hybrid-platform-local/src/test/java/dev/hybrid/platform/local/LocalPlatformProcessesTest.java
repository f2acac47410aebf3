package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No process outlives what owns it: a trial's leftovers end with it, a dead run's trial processes end on restart. */
class LocalPlatformProcessesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final LinkedBlockingQueue<TrialEvent> events = new LinkedBlockingQueue<>();
    private final List<ProcessHandle> mine = new ArrayList<>();
    private LocalPlatform platform;

    @AfterEach
    void cleanUp() {
        if (platform != null) {
            platform.close();
        }
        mine.forEach(ProcessHandle::destroyForcibly);
    }

    private LocalPlatform start(String command) throws Exception {
        Files.createDirectories(dir.resolve("code"));
        platform = LocalPlatform.create(LocalPlatformOptions.of("exp1", dir.resolve("exp"), command,
                dir.resolve("code"), 2));
        platform.start(events::add);
        return platform;
    }

    private TrialEvent.Ended awaitEnd(TrialId id) throws InterruptedException {
        while (true) {
            TrialEvent e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).as("an event for %s within %s", id, WAIT).isNotNull();
            if (e instanceof TrialEvent.Ended end && end.trial().equals(id)) {
                return end;
            }
        }
    }

    private static TrialSpec spec(String id) {
        return new TrialSpec(TrialId.of(id), 0, 1, new Parameters(Map.of("x", 1)));
    }

    private ProcessHandle process(Path pidFile) throws Exception {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle h = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("process " + pid + " is gone"));
        mine.add(h);
        return h;
    }

    private static void awaitGone(ProcessHandle h) throws Exception {
        h.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(h.isAlive()).isFalse();
    }

    @Test
    void whatATrialLeftRunningInItsProcessGroupEndsWithIt() throws Exception {
        // The trial ends only once its second child is in a session of its own (setsid has run).
        start("sleep 600 & echo $! > \"$NNI_SYS_DIR/child.pid\"; "
                + "setsid sh -c 'echo $$ > \"$NNI_SYS_DIR/own-session.pid\"; exec sleep 600' & "
                + "while [ ! -s \"$NNI_SYS_DIR/own-session.pid\" ]; do sleep 0.01; done; exit 0");
        platform.submit(spec("bg1"));
        assertThat(awaitEnd(TrialId.of("bg1")).status()).isEqualTo(TrialStatus.SUCCEEDED);
        Path sys = dir.resolve("exp/trials/bg1");
        ProcessHandle child = process(sys.resolve("child.pid"));
        ProcessHandle ownSession = process(sys.resolve("own-session.pid"));

        awaitGone(child);
        // Both were signalled at once, if at all: a child that started a session of its own is left running.
        assertThat(ownSession.isAlive()).isTrue();
    }

    @Test
    void onStartTheTrialProcessesADeadRunLeftAreKilledAndNoOneElses() throws Exception {
        Path trial = dir.resolve("exp/trials/t1").toAbsolutePath();
        Files.createDirectories(trial.resolve(".hybrid"));
        String deadOwner = deadProcessToken();
        ProcessHandle live = spawn(Map.of(), "sleep", "600");
        String liveOwner = live.pid() + ":" + live.info().startInstant().orElseThrow().toEpochMilli();

        ProcessHandle orphan = spawn(Map.of(TrialProcesses.TRIAL_VARIABLE, trial.toString(),
                TrialProcesses.OWNER_VARIABLE, deadOwner), "setsid", "sleep", "600");
        Files.writeString(trial.resolve(TrialProcesses.RECORD), orphan.pid() + " 0\n");
        // Same marks but another process group (it started a session of its own): not the trial's group.
        ProcessHandle escaped = spawn(Map.of(TrialProcesses.TRIAL_VARIABLE, trial.toString(),
                TrialProcesses.OWNER_VARIABLE, deadOwner), "setsid", "sleep", "600");
        // Its owner still runs: never touched.
        Path other = dir.resolve("exp/trials/t2").toAbsolutePath();
        Files.createDirectories(other.resolve(".hybrid"));
        ProcessHandle owned = spawn(Map.of(TrialProcesses.TRIAL_VARIABLE, other.toString(),
                TrialProcesses.OWNER_VARIABLE, liveOwner), "setsid", "sleep", "600");
        Files.writeString(other.resolve(TrialProcesses.RECORD), owned.pid() + " 0\n");

        start("true");

        awaitGone(orphan);
        assertThat(escaped.isAlive()).isTrue();
        assertThat(owned.isAlive()).isTrue();
        assertThat(live.isAlive()).isTrue();
    }

    @Test
    void aTrialRunAgainNeverRunsBesideItsEarlierAttempt() throws Exception {
        // The earlier attempt of trial r1, left by a run whose JVM died, still appends metrics.
        Path trial = dir.resolve("exp/trials/r1").toAbsolutePath();
        Files.createDirectories(trial.resolve(".nni"));
        Files.createDirectories(trial.resolve(".hybrid"));
        Files.writeString(dir.resolve("earlier.sh"), "while :; do echo \"NNISDK_MEb'" + metric("666") + "'\""
                + " >> \"$NNI_SYS_DIR/stdout\"; sleep 0.05; done\n");
        ProcessHandle earlier = spawn(Map.of(TrialProcesses.TRIAL_VARIABLE, trial.toString(),
                TrialProcesses.OWNER_VARIABLE, deadProcessToken(), "NNI_SYS_DIR", trial.toString()),
                "setsid", "sh", dir.resolve("earlier.sh").toString());
        Files.writeString(trial.resolve(TrialProcesses.RECORD), earlier.pid() + " 0\n");
        Files.createDirectories(dir.resolve("code"));
        // The new attempt takes a moment before it reports, as real trials do.
        Files.writeString(dir.resolve("code/new.sh"), "sleep 0.3; echo \"NNISDK_MEb'" + metric("1") + "'\"\n");

        start("sh new.sh");
        awaitGone(earlier);
        platform.submit(spec("r1"));
        List<String> finals = new ArrayList<>();
        while (true) {
            TrialEvent e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).isNotNull();
            if (e instanceof TrialEvent.MetricReported m) {
                finals.add(m.metric().value());
            }
            if (e instanceof TrialEvent.Ended end) {
                assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
                break;
            }
        }
        assertThat(finals).containsExactly("1");
    }

    private static String metric(String value) {
        return "{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"" + value + "\\\"}";
    }

    /** The identity of a process that has ended, as a dead owner's is recorded. */
    private String deadProcessToken() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        Instant started = p.info().startInstant().orElseThrow();
        p.destroyForcibly();
        p.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return p.pid() + ":" + started.toEpochMilli();
    }

    private ProcessHandle spawn(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        ProcessHandle h = pb.start().toHandle();
        mine.add(h);
        return h;
    }
}
