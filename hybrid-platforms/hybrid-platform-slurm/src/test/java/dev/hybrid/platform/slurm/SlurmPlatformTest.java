package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.platform.HybridPlatform;
import dev.hybrid.platform.local.LocalPlatform;
import dev.hybrid.platform.local.LocalPlatformOptions;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Slurm platform's own behaviour against a real cluster: states, cancels behind its back, GPUs, leftovers. */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmPlatformTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    Path code;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void writeTrial() throws Exception {
        code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private SlurmPlatformOptions options(String experimentId, int slots) {
        return SlurmPlatformOptions.of("sh trial.sh", code, slots)
                .withExperiment(experimentId, dir.resolve(experimentId))
                .withCommandEnvironment(SlurmCluster.current().environment())
                .withPollInterval(Duration.ofMillis(100));
    }

    private SlurmPlatform started(SlurmPlatformOptions options, RecordingSink sink) {
        SlurmPlatform p = SlurmPlatform.create(options);
        toClose.add(p);
        p.start(sink);
        return p;
    }

    private static TrialEvent.Ended ended(RecordingSink sink, TrialId id) {
        return sink.eventsOf(id).stream().filter(TrialEvent.Ended.class::isInstance).map(TrialEvent.Ended.class::cast)
                .findFirst().orElseThrow();
    }

    private static TrialEvent awaitMetric(RecordingSink sink, TrialId id) {
        return sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(id), WAIT,
                "a metric of " + id);
    }

    /** The states of the given jobs, as squeue lists them (finished jobs included). */
    private static Map<String, String> states(List<String> jobIds) throws Exception {
        String out = SlurmCluster.current().run("squeue", "-h", "-t", "all", "-j", String.join(",", jobIds), "-o",
                "%i %T");
        Map<String, String> states = new java.util.HashMap<>();
        out.lines().map(l -> l.strip().split("\\s+")).filter(f -> f.length == 2).forEach(f -> states.put(f[0], f[1]));
        return states;
    }

    @Test
    void aJobCancelledBehindItsBackEndsSysCanceledWithTheReason() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = started(options("behind", 2), sink);
        TrialId id = TrialId.of("b1");
        slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.BLOCK));
        awaitMetric(sink, id);

        SlurmCluster.current().run("scancel", slurm.jobId(id).orElseThrow());
        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);

        assertThat(ended.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(ended.message()).contains("cancelled outside this experiment");
        assertThat(slurm.freeSlots()).isEqualTo(2);
    }

    @Test
    void aTrialWhoseJobIsCancelledBehindOurBackRunsAgainOnAnotherPlatform() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = SlurmPlatform.create(options("rerun", 2));
        LocalPlatform local = LocalPlatform.create(LocalPlatformOptions.of("rerun", dir.resolve("local"),
                "sh trial.sh", code, 1));
        // The hybrid platform takes trials once its first child has started: wait for slurm's start too.
        java.util.concurrent.CountDownLatch slurmStarted = new java.util.concurrent.CountDownLatch(1);
        dev.hybrid.platform.TrainingPlatform slurmChild = new dev.hybrid.platform.TrainingPlatform() {
            @Override
            public String name() {
                return slurm.name();
            }

            @Override
            public void start(dev.hybrid.platform.TrialEventSink s) {
                slurm.start(s);
                slurmStarted.countDown();
            }

            @Override
            public void submit(dev.hybrid.trial.TrialSpec spec) {
                slurm.submit(spec);
            }

            @Override
            public void cancel(TrialId trial) {
                slurm.cancel(trial);
            }

            @Override
            public int freeSlots() {
                return slurm.freeSlots();
            }

            @Override
            public void close() {
                slurm.close();
            }
        };
        HybridPlatform hybrid = HybridPlatform.builder().add(slurmChild).add(local)
                .policy(dev.hybrid.platform.DispatchPolicy.mostFree()).build();
        toClose.add(hybrid);
        hybrid.start(sink);
        assertThat(slurmStarted.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        TrialId id = TrialId.of("lost1");
        // Slurm has the most free slots, so it gets the trial (most-free dispatch); there the trial blocks until its
        // job is cancelled.
        hybrid.submit(TrainingPlatformContract.scenarioSpec(id, 0, "lost"));
        awaitMetric(sink, id);

        SlurmCluster.current().run("scancel", slurm.jobId(id).orElseThrow());
        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);

        assertThat(ended.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(sink.eventsOf(id)).filteredOn(e -> e instanceof TrialEvent.MetricReported m
                && m.metric().type() == MetricType.FINAL).singleElement()
                .satisfies(e -> assertThat(((TrialEvent.MetricReported) e).metric().scalar()).isEqualTo(7.0));
        assertThat(dir.resolve("local/trials/lost1/stdout")).exists();
    }

    @Test
    void aJobThatWaitsForResourcesSaysWhy() throws Exception {
        RecordingSink sink = new RecordingSink();
        int cpus = Runtime.getRuntime().availableProcessors();
        SlurmPlatform slurm = started(options("queue", cpus + 1), sink);
        List<TrialId> ids = new ArrayList<>();
        for (int i = 0; i <= cpus; i++) {
            TrialId id = TrialId.of("q" + i);
            ids.add(id);
            slurm.submit(TrainingPlatformContract.scenarioSpec(id, i, TrainingPlatformContract.BLOCK));
        }
        sink.awaitCount(e -> e instanceof TrialEvent.Started, cpus, WAIT);
        TrialId waiting = ids.stream().filter(id -> sink.eventsOf(id).stream()
                .noneMatch(TrialEvent.Started.class::isInstance)).findFirst().orElseThrow();

        // Once the scheduler has looked at it (squeue says None before), the experiment is told why it waits.
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported, cpus, WAIT);
        TrialEvent.Waiting why = (TrialEvent.Waiting) sink.awaitEvent(e -> e instanceof TrialEvent.Waiting
                && e.trial().equals(waiting), WAIT, "why " + waiting + " waits");
        assertThat(why.reason()).matches("Slurm job \\d+ is PENDING: (Resources|Priority)");
        assertThat(slurm.queueReason(waiting)).hasValueSatisfying(r -> assertThat(r).isIn("Resources", "Priority"));

        slurm.cancel(ids.stream().filter(id -> !id.equals(waiting)).findFirst().orElseThrow());
        sink.awaitStarted(waiting, WAIT);
        assertThat(slurm.queueReason(waiting)).isEmpty();
        // Nothing says it waits once it runs.
        List<TrialEvent> after = sink.eventsOf(waiting);
        assertThat(after.subList(after.indexOf(sink.eventsOf(waiting).stream()
                .filter(TrialEvent.Started.class::isInstance).findFirst().orElseThrow()), after.size()))
                .noneMatch(TrialEvent.Waiting.class::isInstance);
    }

    @Test
    void aJobWhoseNodeFailsEndsFailedNamingNodeFail() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = started(options("nodefail", 1), sink);
        TrialId id = TrialId.of("nf");
        slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.BLOCK));
        awaitMetric(sink, id);
        String job = slurm.jobId(id).orElseThrow();
        try {
            SlurmCluster.current().run("scontrol", "update", "nodename=localhost", "state=down",
                    "reason=hybrid-node-fail-test");
            TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);

            assertThat(ended.status()).isEqualTo(TrialStatus.FAILED);
            assertThat(ended.message()).contains("NODE_FAIL");
            // Not requeued: the job's script does not run a second time over the metrics already read.
            assertThat(states(List.of(job))).containsEntry(job, "NODE_FAIL");
        } finally {
            SlurmCluster.current().resumeNode();
        }
    }

    @Test
    void gpuJobsSeeDistinctDevicesThatSlurmSets() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = started(options("gpus", 2).withResources(SlurmJobResources.defaults().withGpus(1)),
                sink);
        List<TrialId> ids = List.of(TrialId.of("g0"), TrialId.of("g1"));
        for (int i = 0; i < ids.size(); i++) {
            slurm.submit(TrainingPlatformContract.scenarioSpec(ids.get(i), i, TrainingPlatformContract.BLOCK));
        }
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported && ids.contains(e.trial()), 2, WAIT);

        List<String> seen = new ArrayList<>();
        for (TrialId id : ids) {
            String line = Files.readString(dir.resolve("gpus/trials/" + id.value() + "/seen")).strip();
            seen.add(line.substring("gpus=".length(), line.indexOf(' ')));
        }
        assertThat(seen).containsExactlyInAnyOrder("0", "1");
    }

    @Test
    void closeCancelsEveryJobAndAStartAfterACrashCancelsWhatWasLeft() throws Exception {
        RecordingSink first = new RecordingSink();
        SlurmPlatform crashed = started(options("leftover", 3), first);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TrialId id = TrialId.of("l" + i);
            crashed.submit(TrainingPlatformContract.scenarioSpec(id, i, TrainingPlatformContract.BLOCK));
            jobs.add(crashed.jobId(id).orElseThrow());
        }
        first.awaitCount(e -> e instanceof TrialEvent.Started, 1, WAIT);

        // A new run of the same experiment (its JVM died, so the first platform never closed) starts: it finds the
        // jobs by their name and cancels them before running anything.
        SlurmPlatform resumed = started(options("leftover", 3), new RecordingSink());
        assertThat(states(jobs)).hasSize(3).allSatisfy((job, state) -> assertThat(state)
                .isIn("CANCELLED", "COMPLETING"));

        TrialId id = TrialId.of("after");
        resumed.submit(TrainingPlatformContract.scenarioSpec(id, 9, TrainingPlatformContract.BLOCK));
        String job = resumed.jobId(id).orElseThrow();
        resumed.close();
        assertThat(states(List.of(job))).allSatisfy((j, state) -> assertThat(state).isIn("CANCELLED", "COMPLETING"));
    }

    @Test
    void aJobGoneFromSqueueAfterMinJobAgeStillGetsItsTrueEndState() throws Exception {
        // Slurm drops a finished job from squeue after MinJobAge (300 s on the test cluster): hide them at once.
        java.util.Set<String> gone = java.util.concurrent.ConcurrentHashMap.newKeySet();
        dev.hybrid.platform.slurm.internal.SlurmCommands real =
                new dev.hybrid.platform.slurm.internal.LocalSlurmCommands(SlurmCluster.current().environment(),
                        Duration.ofSeconds(60));
        dev.hybrid.platform.slurm.internal.SlurmCommands forgetful = args -> {
            var r = real.run(args);
            if (!args.get(0).equals("squeue")) {
                return r;
            }
            StringBuilder kept = new StringBuilder();
            for (String line : r.stdout().lines().toList()) {
                String[] f = line.split("\\|");
                boolean finished = f.length > 1 && !List.of("PENDING", "RUNNING", "COMPLETING").contains(f[1]);
                if (finished) {
                    gone.add(f[0]);
                } else {
                    kept.append(line).append('\n');
                }
            }
            return new dev.hybrid.platform.slurm.internal.SlurmCommands.Result(r.exitCode(), kept.toString(),
                    r.stderr());
        };
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = SlurmPlatform.create(options("aged", 2), java.time.Clock.systemUTC(), forgetful);
        toClose.add(slurm);
        slurm.start(sink);
        TrialId ok = TrialId.of("ok");
        TrialId bad = TrialId.of("bad");
        slurm.submit(TrainingPlatformContract.scenarioSpec(ok, 0, TrainingPlatformContract.SUCCEED));
        slurm.submit(TrainingPlatformContract.scenarioSpec(bad, 1, TrainingPlatformContract.FAIL));

        sink.awaitCount(e -> e instanceof TrialEvent.Ended, 2, WAIT);
        TrialEvent.Ended okEnd = ended(sink, ok);
        TrialEvent.Ended badEnd = ended(sink, bad);

        assertThat(gone).hasSize(2);
        assertThat(okEnd.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(badEnd.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(badEnd.exitCode()).contains(3);
        assertThat(sink.eventsOf(ok)).filteredOn(e -> e instanceof TrialEvent.MetricReported m
                && m.metric().type() == MetricType.FINAL).hasSize(1);
    }
}
