package dev.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.ControlRequest;
import dev.hybrid.store.ControlResult;
import dev.hybrid.store.ExperimentChange;
import dev.hybrid.store.InMemoryExperimentStore;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.testkit.FakeClock;
import dev.hybrid.testkit.FakePlatform;
import dev.hybrid.testkit.FakeScheduler;
import dev.hybrid.testkit.RecordingListener;
import dev.hybrid.testkit.RecordingListener.Event;
import dev.hybrid.testkit.ScriptedTuner;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steering a running experiment through its handle: cancel a trial, change its limits while it runs. */
class ExperimentSteeringTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));

    private final List<Experiment> experiments = new ArrayList<>();

    @AfterEach
    void closeExperiments() {
        experiments.forEach(Experiment::close);
    }

    private ExperimentHandle start(ExperimentBuilder builder) {
        Experiment e = builder.build();
        experiments.add(e);
        return e.start();
    }

    private static ExperimentBuilder builder() {
        return Experiment.builder().searchSpace(SPACE).seed(7).tuner(new ScriptedTuner());
    }

    private static void finished(ExperimentHandle h) throws InterruptedException {
        assertThat(h.awaitCompletion(WAIT)).as("experiment finished; now " + h.summary()).isTrue();
    }

    @Test
    void raisingMaxTrialNumberOfAnExperimentAtItsBudgetRunsMoreTrials() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().trialConcurrency(2).maxTrialNumber(2).platform(platform)
                .listener(listener));
        List<TrialSpec> first = platform.awaitSubmitted(2, WAIT);
        listener.awaitStatus(ExperimentStatus.NO_MORE_TRIAL, WAIT);

        h.setMaxTrialNumber(4);
        listener.await(e -> e instanceof Event.StatusChanged s && s.status() == ExperimentStatus.RUNNING, 2, WAIT);
        assertThat(h.summary().maxTrialNumber()).contains(4);
        platform.end(first.get(0).id(), TrialStatus.SUCCEEDED);
        platform.end(first.get(1).id(), TrialStatus.SUCCEEDED);
        List<TrialSpec> all = platform.awaitSubmitted(4, WAIT);
        platform.end(all.get(2).id(), TrialStatus.SUCCEEDED);
        platform.end(all.get(3).id(), TrialStatus.SUCCEEDED);

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(4);
        assertThat(h.summary().count(TrialStatus.SUCCEEDED)).isEqualTo(4);
        assertThat(listener.statuses()).containsExactly(ExperimentStatus.RUNNING, ExperimentStatus.NO_MORE_TRIAL,
                ExperimentStatus.RUNNING, ExperimentStatus.NO_MORE_TRIAL, ExperimentStatus.DONE);
    }

    @Test
    void loweringMaxTrialNumberToTheSubmittedTrialsSubmitsNoMore() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        ExperimentHandle h = start(builder().trialConcurrency(2).maxTrialNumber(10).platform(platform));
        List<TrialSpec> first = platform.awaitSubmitted(2, WAIT);

        h.setMaxTrialNumber(2);
        platform.end(first.get(0).id(), TrialStatus.SUCCEEDED);
        platform.end(first.get(1).id(), TrialStatus.SUCCEEDED);

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(2);
        assertThat(h.summary().maxTrialNumber()).contains(2);
    }

    @Test
    void cancelTrialEndsThatTrialUserCanceledAndTheExperimentGoesOn() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        ExperimentHandle h = start(builder().trialConcurrency(1).maxTrialNumber(2).platform(platform));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();
        platform.emit(platform.started(first));

        h.cancelTrial(first);

        platform.awaitCancelled(first, WAIT);
        TrialId second = platform.awaitSubmitted(2, WAIT).get(1).id();
        Trial cancelled = h.trial(first).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(cancelled.message()).isEqualTo("cancelled by api");
        h.cancelTrial(first); // already ended: nothing happens
        platform.end(second, TrialStatus.SUCCEEDED);
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.cancelled()).containsExactly(first);
        assertThat(h.trial(second).orElseThrow().status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void badValuesAndUnknownTrialsAreRefusedAtOnceAndAnEndedExperimentTakesNoNewLimits() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        ExperimentHandle h = start(builder().trialConcurrency(2).maxTrialNumber(5).platform(platform));
        List<TrialSpec> first = platform.awaitSubmitted(2, WAIT);

        assertThatThrownBy(() -> h.setMaxTrialNumber(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTrialNumber must be >= 1, was 0");
        assertThatThrownBy(() -> h.setMaxTrialNumber(1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTrialNumber must not be below the 2 trials already submitted, was 1");
        assertThatThrownBy(() -> h.setTrialConcurrency(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trialConcurrency must be >= 1, was 0");
        assertThatThrownBy(() -> h.setMaxExecDuration(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxExecDuration must be positive, was PT-1S");
        assertThatThrownBy(() -> h.cancelTrial(TrialId.of("nope"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no trial nope");
        assertThat(h.status()).isEqualTo(ExperimentStatus.RUNNING);

        h.stop();
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        assertThatThrownBy(() -> h.setMaxTrialNumber(10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has ended STOPPED; resume it");
        assertThatThrownBy(() -> h.setTrialConcurrency(3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> h.setMaxExecDuration(Duration.ofHours(1))).isInstanceOf(IllegalStateException.class);
        h.cancelTrial(first.get(0).id()); // it ended with the stop: nothing happens
        assertThat(h.summary().maxTrialNumber()).contains(5);
    }

    @Test
    void raisingTrialConcurrencyRunsMoreTrialsAtOnceOnThePlatformItBuilt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // no function returns before the release: the first three to enter run at once
        CountDownLatch threeRunning = new CountDownLatch(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().trialConcurrency(1).maxTrialNumber(4).listener(listener)
                .trialFunction((p, r) -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    threeRunning.countDown();
                    try {
                        release.await();
                    } finally {
                        running.decrementAndGet();
                    }
                    r.reportFinal(1);
                }));
        listener.awaitStarted(1, WAIT);

        h.setTrialConcurrency(3);

        listener.awaitStarted(3, WAIT);
        // A trial is reported started before its function runs: wait until three functions run at once.
        assertThat(threeRunning.await(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                .as("three trial functions running at once").isTrue();
        assertThat(h.summary().trialConcurrency()).isEqualTo(3);
        release.countDown();
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(peak.get()).isEqualTo(3);
        assertThat(h.summary().count(TrialStatus.SUCCEEDED)).isEqualTo(4);
    }

    @Test
    void raisingMaxExecDurationAfterTheDeadlineLetsTheExperimentSubmitAgain() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(5, clock).startingOnly();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().trialConcurrency(1).maxExecDuration(Duration.ofHours(1))
                .deadlineGrace(Duration.ofMinutes(10)).clock(clock).scheduler(scheduler).listener(listener)
                .platform(platform));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofHours(1));
        listener.awaitStatus(ExperimentStatus.NO_MORE_TRIAL, WAIT);
        scheduler.awaitPendingTasks(1, WAIT); // the deadline grace's timer
        assertThat(h.deadlineGraceEnd()).isPresent();

        h.setMaxExecDuration(Duration.ofHours(2));

        listener.await(e -> e instanceof Event.StatusChanged s && s.status() == ExperimentStatus.RUNNING, 2, WAIT);
        assertThat(h.deadlineGraceEnd()).isEmpty();
        assertThat(h.summary().maxExecDuration()).contains(Duration.ofHours(2));
        platform.end(first, TrialStatus.SUCCEEDED);
        TrialId second = platform.awaitSubmitted(2, WAIT).get(1).id();
        scheduler.advance(Duration.ofMinutes(30)); // the first deadline's grace would have ended here
        assertThat(platform.cancelled()).isEmpty();
        assertThat(h.status()).isEqualTo(ExperimentStatus.RUNNING);
        scheduler.advance(Duration.ofMinutes(30));
        listener.await(e -> e instanceof Event.StatusChanged s && s.status() == ExperimentStatus.NO_MORE_TRIAL, 2,
                WAIT);
        platform.end(second, TrialStatus.SUCCEEDED);

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(2);
    }

    @Test
    void shorteningMaxExecDurationBelowTheTimeSpentEndsSubmissionsNow() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(5, clock).startingOnly();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().trialConcurrency(1).clock(clock).scheduler(scheduler)
                .listener(listener).platform(platform));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();
        clock.set(clock.instant().plus(Duration.ofMinutes(20)));

        h.setMaxExecDuration(Duration.ofMinutes(10));

        listener.awaitStatus(ExperimentStatus.NO_MORE_TRIAL, WAIT);
        platform.end(first, TrialStatus.SUCCEEDED);
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(1);
    }

    @Test
    void raisedLimitsAreStoredAndAResumeContinuesWithThem(@TempDir Path dir) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().experimentId("steered").workingDirectory(dir).trialConcurrency(1)
                .maxTrialNumber(1).listener(listener).trialFunction((p, r) -> {
                    release.await();
                    r.reportFinal(1);
                }));
        listener.awaitStarted(1, WAIT);

        h.setMaxTrialNumber(3);
        h.setMaxExecDuration(Duration.ofHours(5));
        h.setTrialConcurrency(2);
        listener.awaitStarted(2, WAIT);
        h.stop();
        release.countDown();
        finished(h);
        experiments.forEach(Experiment::close);

        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(dir.resolve("steered"))) {
            store.open();
            assertThat(store.experiment().orElseThrow().configJson()).contains("\"maxTrialNumber\":3")
                    .contains("\"maxExecDuration\":\"PT5H\"").contains("\"trialConcurrency\":2");
        }
        Experiment resumed = Experiment.resume(dir.resolve("steered")).tuner(new ScriptedTuner())
                .trialFunction((p, r) -> r.reportFinal(1)).build();
        experiments.add(resumed);
        assertThat(resumed.maxTrialNumber()).contains(3);
        assertThat(resumed.maxExecDuration()).contains(Duration.ofHours(5));
    }

    @Test
    void aControlRequestLeftInTheStoreIsAppliedOnceWithItsOutcomeAndTheChangeRecorded(@TempDir Path dir)
            throws Exception {
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        ExperimentHandle h = start(builder().experimentId("ctl").workingDirectory(dir).trialConcurrency(1)
                .maxTrialNumber(1).platform(platform));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();

        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("ctl"))) {
            reader.open();
            long raise = reader.requestControl("ctl", new ControlRequest.SetMaxTrialNumber(2), "dashboard");
            long unknown = reader.requestControl("ctl", new ControlRequest.CancelTrial(TrialId.of("nope")),
                    "dashboard");
            ControlResult raised = awaitHandled(reader, raise);
            assertThat(raised.state()).isEqualTo(ControlResult.State.APPLIED);
            ControlResult refused = awaitHandled(reader, unknown);
            assertThat(refused.state()).isEqualTo(ControlResult.State.REFUSED);
            assertThat(refused.reason()).contains("the experiment has no trial nope");
        }
        assertThat(h.summary().maxTrialNumber()).contains(2);
        platform.end(first, TrialStatus.SUCCEEDED);
        TrialId second = platform.awaitSubmitted(2, WAIT).get(1).id();
        platform.end(second, TrialStatus.SUCCEEDED);
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(2);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("ctl"))) {
            reader.open();
            assertThat(reader.changes()).singleElement().satisfies(c -> {
                assertThat(c.field()).isEqualTo("maxTrialNumber");
                assertThat(c.oldValue()).isEqualTo("1");
                assertThat(c.newValue()).isEqualTo("2");
                assertThat(c.source()).isEqualTo("dashboard");
            });
            assertThat(reader.pendingControls()).isEmpty();
        }
    }

    @Test
    void changesThroughTheHandleAreRecordedWithTheirSource() throws Exception {
        InMemoryExperimentStore store = new InMemoryExperimentStore();
        FakePlatform platform = FakePlatform.withSlots(5).startingOnly();
        ExperimentHandle h = start(builder().trialConcurrency(1).maxTrialNumber(3).platform(platform).store(store));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();

        h.setTrialConcurrency(2);
        h.control(new ControlRequest.CancelTrial(first), "dashboard");
        platform.awaitCancelled(first, WAIT);
        h.stop();
        finished(h);

        assertThat(store.changes()).extracting(ExperimentChange::field, ExperimentChange::newValue,
                ExperimentChange::source).containsExactly(
                org.assertj.core.groups.Tuple.tuple("trialConcurrency", "2", "api"),
                org.assertj.core.groups.Tuple.tuple("trial " + first, "USER_CANCELED", "dashboard"),
                org.assertj.core.groups.Tuple.tuple("status", "STOPPING", "api"));
        assertThat(h.trial(first).orElseThrow().message()).isEqualTo("cancelled by dashboard");
        assertThatThrownBy(() -> h.control(new ControlRequest.Stop(), " ")).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void aStopFromCodeIsRecordedInTheStoredHistoryOnce(@TempDir Path dir) throws Exception {
        FakePlatform platform = FakePlatform.withSlots(2).startingOnly();
        ExperimentHandle h = start(builder().experimentId("apistop").workingDirectory(dir).trialConcurrency(1)
                .maxTrialNumber(3).platform(platform));
        TrialId first = platform.awaitSubmitted(1, WAIT).get(0).id();

        h.stop();
        h.stop();
        platform.awaitCancelled(first, WAIT);
        finished(h);
        h.stop();

        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("apistop"))) {
            reader.open();
            assertThat(reader.changes()).singleElement().satisfies(c -> {
                assertThat(c.field()).isEqualTo("status");
                assertThat(c.oldValue()).isEqualTo("RUNNING");
                assertThat(c.newValue()).isEqualTo("STOPPING");
                assertThat(c.source()).isEqualTo("api");
            });
        }
    }

    @Test
    void closingARunningExperimentRecordsItsStopAndClosingAnEndedOneRecordsNothing() throws Exception {
        InMemoryExperimentStore store = new InMemoryExperimentStore();
        FakePlatform platform = FakePlatform.withSlots(2).startingOnly();
        Experiment e = builder().trialConcurrency(1).maxTrialNumber(3).platform(platform).store(store).build();
        experiments.add(e);
        ExperimentHandle h = e.start();
        platform.awaitSubmitted(1, WAIT);

        e.close();
        e.close();

        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(store.changes()).extracting(ExperimentChange::field, ExperimentChange::newValue,
                ExperimentChange::source).containsExactly(org.assertj.core.groups.Tuple.tuple("status", "STOPPING",
                "api"));
    }

    @Test
    void aRequestLeftPendingByAnEarlierRunIsRefusedByTheNextOneNotApplied(@TempDir Path dir) throws Exception {
        ExperimentHandle h = start(builder().experimentId("left").workingDirectory(dir).trialConcurrency(1)
                .maxTrialNumber(1).trialFunction((p, r) -> r.reportFinal(1)));
        finished(h);
        experiments.forEach(Experiment::close);
        long leftOver;
        // A process that holds the experiment and dies before it looks at a request leaves it pending.
        try (SqliteExperimentStore holder = SqliteExperimentStore.existingForWriting(dir.resolve("left"));
             SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("left"))) {
            holder.open();
            reader.open();
            leftOver = reader.requestControl("left", new ControlRequest.SetMaxTrialNumber(9), "cli");
        }

        Experiment resumed = Experiment.resume(dir.resolve("left")).tuner(new ScriptedTuner())
                .trialFunction((p, r) -> r.reportFinal(1)).maxTrialNumber(2).build();
        experiments.add(resumed);
        ExperimentHandle again = resumed.start();
        finished(again);

        assertThat(again.trials()).hasSize(2);
        try (SqliteExperimentStore reader = SqliteExperimentStore.readOnly(dir.resolve("left"))) {
            reader.open();
            ControlResult r = reader.controlResult(leftOver).orElseThrow();
            assertThat(r.state()).isEqualTo(ControlResult.State.REFUSED);
            assertThat(r.reason()).contains("it was made before this run of the experiment started");
            assertThat(reader.experiment().orElseThrow().maxTrialNumber()).contains(2);
            assertThat(reader.changes()).isEmpty();
        }
    }

    /** Reads a control request back until the experiment has handled it. */
    private static ControlResult awaitHandled(SqliteExperimentStore reader, long id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            ControlResult r = reader.controlResult(id).orElseThrow();
            if (r.isHandled()) {
                return r;
            }
            assertThat(System.nanoTime() - deadline).as("control request %d still pending: %s", id, r).isNegative();
            Thread.sleep(20);
        }
    }
}
