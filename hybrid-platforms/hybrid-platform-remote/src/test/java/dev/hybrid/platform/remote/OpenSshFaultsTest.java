package dev.hybrid.platform.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentListener;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.platform.InProcessPlatform;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops, lost machines and slow start-ups against real OpenSSH servers on loopback (and a listener that never speaks
 * SSH): every stop finishes, an experiment that no platform can serve ends, and a child still connecting delays no
 * trial. Skipped where {@code /usr/sbin/sshd} is not installed.
 */
@Tag("openssh")
class OpenSshFaultsTest {
    private static final Duration T = Duration.ofSeconds(60);
    private static final SearchSpace BLOCKING = SearchSpace.parse(
            "{\"scenario\": {\"_type\": \"choice\", \"_value\": [\"block\"]}}");

    @TempDir
    Path dir;
    private Path key;
    private final List<OpenSshServer> servers = new ArrayList<>();
    private final List<RemotePlatform> platforms = new ArrayList<>();
    private final List<AutoCloseable> others = new ArrayList<>();

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
        for (AutoCloseable c : others) {
            c.close();
        }
    }

    private OpenSshServer server(String name) throws Exception {
        OpenSshServer s = OpenSshServer.start(dir.resolve(name), key);
        servers.add(s);
        return s;
    }

    private RemoteMachine machine(int port, String name) {
        return machine(dir, key, port, name);
    }

    private static RemoteMachine machine(Path dir, Path key, int port, String name) {
        return RemoteMachine.withKey("127.0.0.1", port, OpenSshServer.user(), key).withMaxConcurrentTrials(2)
                .withRemoteDirectory(dir.resolve("machines/" + name).toString());
    }

    private RemotePlatformOptions options(List<RemoteMachine> machines, Duration lostAfter) throws Exception {
        return options(dir, machines, lostAfter);
    }

    private static RemotePlatformOptions options(Path dir, List<RemoteMachine> machines, Duration lostAfter)
            throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
        return RemotePlatformOptions.of("faults", "sh trial.sh", code, machines)
                .withHostKeys(dir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(2))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200), lostAfter)
                .withKeepAliveInterval(Duration.ofSeconds(1));
    }

    /** A loopback listener that accepts connections and never says a word: a host whose SSH server hangs. */
    private ServerSocket silentHost() throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        others.add(silent);
        return silent;
    }

    private Socket acceptOne(ServerSocket silent) throws Exception {
        silent.setSoTimeout((int) T.toMillis());
        Socket s = silent.accept();
        others.add(s);
        return s;
    }

    @Test
    void aTrialCancelledWhileItsMachineIsUnreachableEndsAtOnceAndItsProcessesDieWhenTheMachineIsBack()
            throws Exception {
        OpenSshServer s = server("a");
        // Lost only after two minutes: the cancelled trial must not wait for that.
        RemotePlatform p = RemotePlatform.create(options(List.of(machine(s.port(), "a")), Duration.ofMinutes(2)));
        platforms.add(p);
        RecordingSink sink = new RecordingSink();
        p.start(sink);
        TrialId id = TrialId.of("blocked");
        p.submit(new TrialSpec(id, 0, 0, new Parameters(Map.of("scenario", "block"))));
        sink.next(T); // Started
        assertThat(sink.next(T)).isInstanceOf(TrialEvent.MetricReported.class); // the trial runs its sleep now
        Path childPid = dir.resolve("machines/a/faults/trials/blocked/child.pid");
        long pid = Long.parseLong(Files.readString(childPid).strip());
        ProcessHandle sleeper = ProcessHandle.of(pid).orElseThrow();

        s.kill();
        p.cancel(id);
        TrialEvent ended = sink.next(T);
        assertThat(ended).isInstanceOfSatisfying(TrialEvent.Ended.class,
                e -> assertThat(e.status()).isEqualTo(TrialStatus.USER_CANCELED));
        assertThat(sleeper.isAlive()).as("the machine cannot be reached yet").isTrue();

        s.restart();
        sleeper.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(sink.events().stream().filter(TrialEvent.Ended.class::isInstance)).hasSize(1);
    }

    @Test
    void aStopWhileTheOnlyMachineIsUnreachableRecordsEveryTrialAsEndedWithoutWaitingForIt() throws Exception {
        OpenSshServer s = server("b");
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(s.port(), "b")),
                Duration.ofMinutes(2)));
        CountDownLatch twoStarted = new CountDownLatch(2);
        try (Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of())
                .trialConcurrency(2).maxTrialNumber(4).platform(remote).workingDirectory(dir.resolve("work"))
                .listener(new ExperimentListener() {
                    @Override
                    public void onTrialStarted(Trial trial) {
                        twoStarted.countDown();
                    }
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(twoStarted.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            s.kill();
            h.stop();
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
            // Ended by the stop itself, not by the loop giving up on them after its grace.
            assertThat(h.trials()).hasSize(2).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TrialStatus.USER_CANCELED);
                assertThat(t.message()).doesNotContain("did not end within");
            });
        }
    }

    /**
     * A run in another JVM: an experiment whose one trial blocks on machine b. Says {@code RUNNING <experiment id>
     * <pid of the trial's sleeping child>} once the trial runs, then waits to be killed.
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        RemotePlatform remote = RemotePlatform.create(options(dir, List.of(machine(dir, Path.of(args[2]),
                Integer.parseInt(args[1]), "b")), Duration.ofMinutes(2)));
        CountDownLatch running = new CountDownLatch(1);
        List<TrialId> trial = new CopyOnWriteArrayList<>();
        Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of()).trialConcurrency(1)
                .maxTrialNumber(1).platform(remote).workingDirectory(dir.resolve("work"))
                .listener(new ExperimentListener() {
                    @Override
                    public void onMetric(TrialId id, dev.hybrid.trial.Metric metric) {
                        trial.add(id); // the block scenario reports once its sleeping child's pid is written
                        running.countDown();
                    }
                }).build();
        e.start();
        running.await();
        Path pid = dir.resolve("machines/b/" + e.id() + "/trials/" + trial.get(0).value() + "/child.pid");
        System.out.println("RUNNING " + e.id() + " " + Files.readString(pid).strip());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** The remote platform, with a latch counted down each time the experiment is told a trial must wait. */
    private static final class Observed implements dev.hybrid.platform.TrainingPlatform,
            dev.hybrid.platform.ExperimentScoped, dev.hybrid.platform.TrialResumption {
        final RemotePlatform inner;
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        Observed(RemotePlatform inner) {
            this.inner = inner;
        }

        @Override
        public boolean mayRunAgain(TrialId trial, String platform) {
            boolean may = inner.mayRunAgain(trial, platform);
            if (!may) {
                held.countDown();
            }
            return may;
        }

        @Override
        public void bindExperiment(dev.hybrid.platform.ExperimentScope scope) {
            inner.bindExperiment(scope);
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void start(dev.hybrid.platform.TrialEventSink sink) {
            inner.start(sink);
            started.countDown();
        }

        @Override
        public void submit(TrialSpec spec) {
            inner.submit(spec);
        }

        @Override
        public void cancel(TrialId trial) {
            inner.cancel(trial);
        }

        @Override
        public int freeSlots() {
            return inner.freeSlots();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** Runs {@link #main} in another JVM against machine {@code b}, kills that JVM (SIGKILL) and returns its line. */
    private String[] killedRun(OpenSshServer b) throws Exception {
        String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaExe, "-cp", System.getProperty("java.class.path"),
                OpenSshFaultsTest.class.getName(), dir.toString(), String.valueOf(b.port()), key.toString())
                .redirectErrorStream(true).start();
        String id = null;
        ProcessHandle earlier = null;
        StringBuilder seen = new StringBuilder();
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.startsWith("RUNNING ")) {
                    String[] f = line.split(" ");
                    id = f[1];
                    earlier = ProcessHandle.of(Long.parseLong(f[2])).orElseThrow();
                    break;
                }
            }
        } finally {
            child.destroyForcibly(); // kill -9 of the run
            child.onExit().get(T.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(earlier).as(seen.toString()).isNotNull();
        others.add(earlier::destroyForcibly);
        return new String[] {id, String.valueOf(earlier.pid())};
    }

    @Test
    void onResumeATrialWhoseMachineIsUnreachableWaitsForItAndRunsAgainOnlyOnceItsEarlierProcessesAreGone()
            throws Exception {
        OpenSshServer a = server("a");
        OpenSshServer b = server("b");
        String[] run = killedRun(b);
        String id = run[0];
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(run[1])).orElseThrow();
        b.kill(); // machine b is down when the experiment is resumed

        Observed platform = new Observed(RemotePlatform.create(options(List.of(machine(a.port(), "a"),
                machine(b.port(), "b")), Duration.ofMinutes(2))));
        List<Boolean> earlierAliveAtRerun = new CopyOnWriteArrayList<>();
        CountDownLatch rerun = new CountDownLatch(1);
        try (Experiment e = Experiment.resume(dir.resolve("work").resolve(id)).platform(platform)
                .listener(new ExperimentListener() {
                    @Override
                    public void onTrialStarted(Trial trial) {
                        earlierAliveAtRerun.add(sleeper.isAlive());
                        rerun.countDown();
                    }
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(platform.held.await(T.toSeconds(), TimeUnit.SECONDS)).as("the trial is held").isTrue();
            assertThat(sleeper.isAlive()).isTrue();
            assertThat(h.trials()).hasSize(1).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.WAITING));

            b.restart(); // its monitor ends the earlier run's trial processes; then the trial runs again
            assertThat(rerun.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(earlierAliveAtRerun).containsExactly(false);
            h.stop();
            assertThat(h.awaitCompletion(T)).isTrue();
        }
    }

    @Test
    void onResumeATrialWhoseProcessesDiedWhileNoJvmRanRunsAgainInsteadOfFailing() throws Exception {
        OpenSshServer b = server("b");
        String[] run = killedRun(b);
        String id = run[0];
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(run[1])).orElseThrow();
        // The machine loses the trial's whole process group (killed, or rebooted): it leaves no end state.
        Path trials = dir.resolve("machines/b/" + id + "/trials");
        Path mark;
        try (var marks = Files.list(trials)) {
            mark = marks.filter(f -> f.getFileName().toString().endsWith(".launch")).findFirst().orElseThrow();
        }
        String group = Files.readString(mark).strip().split(" ")[0];
        assertThat(new ProcessBuilder("kill", "-KILL", "--", "-" + group).inheritIO().start().waitFor()).isZero();
        sleeper.onExit().get(T.toSeconds(), TimeUnit.SECONDS);

        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(b.port(), "b")),
                Duration.ofMinutes(2)));
        CountDownLatch reported = new CountDownLatch(1);
        try (Experiment e = Experiment.resume(dir.resolve("work").resolve(id)).platform(remote)
                .listener(new ExperimentListener() {
                    @Override
                    public void onMetric(TrialId trial, dev.hybrid.trial.Metric metric) {
                        reported.countDown();
                    }
                }).build()) {
            ExperimentHandle h = e.start();
            // It runs again (its first intermediate result comes from the new attempt), rather than ending FAILED.
            assertThat(reported.await(T.toSeconds(), TimeUnit.SECONDS)).as("%s", h.trials()).isTrue();
            assertThat(h.trials()).hasSize(1).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TrialStatus.RUNNING);
                assertThat(t.intermediate()).hasSize(1);
            });
            h.stop();
            assertThat(h.awaitCompletion(T)).isTrue();
        }
    }

    @Test
    void inHybridModeATrialRunAgainAfterItsMachineWasLostIsANewAttemptWithItsOwnPlatformAndMetrics()
            throws Exception {
        OpenSshServer s = server("d");
        Observed remote = new Observed(RemotePlatform.create(options(List.of(machine(s.port(), "d")),
                Duration.ofSeconds(1))));
        InProcessPlatform inProcessItself = InProcessPlatform.create((params, reporter) -> {
            reporter.reportIntermediate(7.0);
            reporter.reportFinal(1.0);
        }, 3);
        // The in-process child starts once the remote one has, so that the first trial goes to the machine.
        dev.hybrid.platform.TrainingPlatform inProcess = new dev.hybrid.platform.TrainingPlatform() {
            @Override
            public String name() {
                return inProcessItself.name();
            }

            @Override
            public void start(dev.hybrid.platform.TrialEventSink sink) {
                try {
                    remote.started.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inProcessItself.start(sink);
            }

            @Override
            public void submit(TrialSpec spec) {
                inProcessItself.submit(spec);
            }

            @Override
            public void cancel(TrialId trial) {
                inProcessItself.cancel(trial);
            }

            @Override
            public int freeSlots() {
                return inProcessItself.freeSlots();
            }

            @Override
            public void close() {
                inProcessItself.close();
            }
        };
        CountDownLatch runningRemotely = new CountDownLatch(1);
        String id;
        try (Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of())
                .trialConcurrency(1).maxTrialNumber(1).platforms(remote, inProcess)
                .workingDirectory(dir.resolve("work")).listener(new ExperimentListener() {
                    @Override
                    public void onMetric(TrialId trial, dev.hybrid.trial.Metric metric) {
                        runningRemotely.countDown();
                    }
                }).build()) {
            id = e.id();
            ExperimentHandle h = e.start();
            assertThat(runningRemotely.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(h.trials()).hasSize(1).allSatisfy(t -> assertThat(t.platform()).isEqualTo("remote"));
            s.kill(); // lost after a second: the trial runs again on the in-process platform
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            Trial t = h.trials().get(0);
            assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(t.platform()).isEqualTo("in-process");
            // The lost attempt's intermediate result (1, from the machine) is not mixed into the rerun's.
            assertThat(t.intermediate()).extracting(dev.hybrid.trial.Metric::value).containsExactly("7.0");
            assertThat(t.finalValue()).contains(1.0);
        }
        // The store keeps the rerun as attempt 2, with its own platform and metrics.
        dev.hybrid.store.SqliteExperimentStore store = dev.hybrid.store.SqliteExperimentStore.readOnly(
                dir.resolve("work").resolve(id));
        store.open();
        try {
            assertThat(store.trials()).singleElement().satisfies(st -> {
                assertThat(st.attempt()).isEqualTo(2);
                assertThat(st.trial().platform()).isEqualTo("in-process");
                assertThat(st.trial().intermediate()).extracting(dev.hybrid.trial.Metric::value)
                        .containsExactly("7.0");
                assertThat(st.trial().finalValue()).contains(1.0);
            });
        } finally {
            store.close();
        }
    }

    @Test
    void aTrialRunAgainAfterItsMachineWasLostRecordsEachAttemptsMachineAndShowsTheOneThatProducedTheResult()
            throws Exception {
        OpenSshServer a = server("a");
        OpenSshServer b = server("b");
        // Both machines are this host: the first attempt leaves a marker and blocks, the rerun finds it and succeeds.
        Path marker = dir.resolve("first-attempt-ran");
        String command = "if [ -e '" + marker + "' ]; then printf '{\"scenario\":\"succeed\"}' > \"$NNI_SYS_DIR"
                + "/parameter.cfg\"; fi; touch '" + marker + "'; sh trial.sh";
        RemotePlatform onA = RemotePlatform.create(options(List.of(machine(a.port(), "a")), Duration.ofSeconds(1))
                .withCommand(command));
        RemotePlatform onB = RemotePlatform.create(options(List.of(machine(b.port(), "b")), Duration.ofSeconds(1))
                .withCommand(command));
        CountDownLatch firstMetric = new CountDownLatch(1);
        String id;
        String first;
        String second;
        try (Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of())
                .trialConcurrency(1).maxTrialNumber(1).platforms(onA, onB)
                .workingDirectory(dir.resolve("work")).listener(new ExperimentListener() {
                    @Override
                    public void onMetric(TrialId trial, dev.hybrid.trial.Metric metric) {
                        firstMetric.countDown();
                    }
                }).build()) {
            id = e.id();
            ExperimentHandle h = e.start();
            assertThat(firstMetric.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            first = h.trials().get(0).machine().orElseThrow();
            assertThat(first).isIn("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port());
            second = first.equals("127.0.0.1:" + a.port()) ? "127.0.0.1:" + b.port() : "127.0.0.1:" + a.port();
            // The rerun needs the other machine up: under load its first connection may still be on its way.
            RemotePlatform other = first.equals("127.0.0.1:" + a.port()) ? onB : onA;
            long deadline = System.nanoTime() + T.toNanos();
            while (other.freeSlots() == 0 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            assertThat(other.freeSlots()).as("the other machine is up").isPositive();
            (first.equals("127.0.0.1:" + a.port()) ? a : b).kill(); // lost after a second: the trial runs again
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            Trial t = h.trials().get(0);
            assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(t.machine()).contains(second);
        }
        dev.hybrid.store.SqliteExperimentStore store = dev.hybrid.store.SqliteExperimentStore.readOnly(
                dir.resolve("work").resolve(id));
        store.open();
        try {
            assertThat(store.trials()).singleElement().satisfies(st -> {
                assertThat(st.attempt()).isEqualTo(2);
                assertThat(st.trial().machine()).contains(second);
                assertThat(st.trial().finalValue()).contains(4.0);
            });
        } finally {
            store.close();
        }
        // Each attempt keeps its own machine.
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("work").resolve(id)
                .resolve("db").resolve(dev.hybrid.store.SqliteExperimentStore.FILE_NAME));
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT attempt, detail FROM trial_events WHERE event = 'MACHINE'"
                     + " ORDER BY attempt")) {
            List<String> machines = new ArrayList<>();
            while (rs.next()) {
                machines.add(rs.getInt(1) + " " + rs.getString(2));
            }
            assertThat(machines).containsExactly("1 " + first, "2 " + second);
        }
    }

    @Test
    void aRemoteOnlyExperimentWhoseOnlyMachineIsLostEndsErrorWithTheReason() throws Exception {
        OpenSshServer s = server("c");
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(s.port(), "c")),
                Duration.ofSeconds(1)));
        CountDownLatch started = new CountDownLatch(1);
        try (Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of())
                .trialConcurrency(1).maxTrialNumber(3).maxExecDuration(Duration.ofMinutes(10)).platform(remote)
                .workingDirectory(dir.resolve("work")).listener(new ExperimentListener() {
                    @Override
                    public void onTrialStarted(Trial trial) {
                        started.countDown();
                    }
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(started.await(T.toSeconds(), TimeUnit.SECONDS)).isTrue();
            s.kill();
            assertThat(h.awaitCompletion(T)).as("the experiment ends").isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
            assertThat(h.failure()).hasValueSatisfying(f -> assertThat(f.getMessage())
                    .contains("every machine is lost").contains("127.0.0.1:" + s.port()));
            assertThat(h.trials()).hasSize(1).allSatisfy(t -> assertThat(t.status())
                    .isEqualTo(TrialStatus.SYS_CANCELED));
        }
    }

    @Test
    void aStopWhileConnectingToAHostThatNeverSpeaksSshEndsStoppedWithoutWaitingForTheConnectTimeout()
            throws Exception {
        ServerSocket silent = silentHost();
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(silent.getLocalPort(), "s")),
                Duration.ofMinutes(2)).withConnectTimeout(Duration.ofSeconds(20)));
        try (Experiment e = Experiment.builder().searchSpace(BLOCKING).tuner("Random", Map.of())
                .trialConcurrency(1).maxTrialNumber(1).platform(remote).workingDirectory(dir.resolve("work"))
                .build()) {
            ExperimentHandle h = e.start();
            acceptOne(silent); // the platform is connecting now
            h.stop();
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
            assertThat(h.failure()).isEmpty();
        }
    }

    @Test
    void theRemotePlatformTakesTrialsOnceItsFirstMachineIsReadyWhileAnotherStillConnectsToASilentHost()
            throws Exception {
        OpenSshServer a = server("a");
        ServerSocket silent = silentHost();
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(a.port(), "a"),
                machine(silent.getLocalPort(), "s")), Duration.ofMinutes(2)).withConnectTimeout(Duration.ofSeconds(20)));
        platforms.add(remote);
        RecordingSink sink = new RecordingSink();
        remote.start(sink);
        assertThat(silentState(remote, silent)).startsWith("connecting");
        assertThat(remote.freeSlots()).isEqualTo(2);

        TrialId id = TrialId.of("first");
        remote.submit(new TrialSpec(id, 0, 0, new Parameters(Map.of("scenario", "succeed"))));
        assertThat(sink.awaitEnded(id, T).status()).isEqualTo(TrialStatus.SUCCEEDED);
        // The trial ran and ended while the silent host had not said its first word yet.
        assertThat(silentState(remote, silent)).startsWith("connecting");
    }

    private static String silentState(RemotePlatform remote, ServerSocket silent) {
        return remote.machineStates().entrySet().stream()
                .filter(e -> e.getKey().endsWith(":" + silent.getLocalPort())).map(Map.Entry::getValue)
                .findFirst().orElseThrow();
    }

    @Test
    void inHybridModeAChildStillConnectingToASilentHostDelaysNoTrialOfTheOthers() throws Exception {
        ServerSocket silent = silentHost();
        RemotePlatform remote = RemotePlatform.create(options(List.of(machine(silent.getLocalPort(), "s")),
                Duration.ofMinutes(2)).withConnectTimeout(Duration.ofSeconds(20)));
        List<String> remoteStatesSeenByTrials = new CopyOnWriteArrayList<>();
        InProcessPlatform inProcess = InProcessPlatform.create((params, reporter) -> {
            remoteStatesSeenByTrials.addAll(remote.machineStates().values());
            reporter.reportFinal(1.0);
        }, 2);
        try (Experiment e = Experiment.builder()
                .searchSpace(SearchSpace.parse("{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}"))
                .tuner("Random", Map.of()).trialConcurrency(2).maxTrialNumber(4).platforms(inProcess, remote)
                .build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(T)).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            assertThat(h.trials()).hasSize(4).allSatisfy(t -> assertThat(t.status())
                    .isEqualTo(TrialStatus.SUCCEEDED));
            // Every trial ran while the remote child was still waiting for the silent host's first word.
            assertThat(remoteStatesSeenByTrials).hasSize(4).allSatisfy(state -> assertThat(state)
                    .startsWith("connecting"));
        }
    }
}
