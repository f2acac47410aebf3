package dev.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.testkit.FakeClock;
import dev.hybrid.testkit.FakePlatform;
import dev.hybrid.testkit.FakeScheduler;
import dev.hybrid.testkit.RecordingListener;
import dev.hybrid.testkit.RecordingListener.Event;
import dev.hybrid.testkit.ScriptedTuner;
import dev.hybrid.testkit.ScriptedTuner.Call;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.TunerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));

    private final List<Experiment> experiments = new ArrayList<>();

    @AfterEach
    void closeExperiments() {
        experiments.forEach(Experiment::close);
    }

    private ExperimentBuilder builder() {
        return Experiment.builder().searchSpace(SPACE).seed(7);
    }

    private ExperimentHandle start(ExperimentBuilder builder) {
        Experiment e = builder.build();
        experiments.add(e);
        return e.start();
    }

    private static ExperimentHandle finished(ExperimentHandle h) throws InterruptedException {
        assertThat(h.awaitCompletion(WAIT)).as("experiment finished; now " + h.summary()).isTrue();
        return h;
    }

    private static Suggestion next(Object i) {
        return new Suggestion.Next(new Parameters(Map.of("i", i)));
    }

    // ------------------------------------------------------------------ budget and concurrency

    @Test
    void runsMaxTrialNumTrialsNeverMoreThanTrialConcurrencyAtOnce() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(3).maxTrialNumber(30)
                .listener(listener)
                .trialFunction((p, r) -> {
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    r.reportFinal(p.getDouble("i"));
                    running.decrementAndGet();
                }));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(30).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
        assertThat(peak.get()).isBetween(1, 3);
        int live = 0;
        int maxLive = 0;
        for (Event e : listener.events()) {
            if (e instanceof Event.Submitted) {
                maxLive = Math.max(maxLive, ++live);
            } else if (e instanceof Event.Ended) {
                live--;
            }
        }
        assertThat(maxLive).isEqualTo(3);
        assertThat(listener.statuses()).containsExactly(ExperimentStatus.RUNNING, ExperimentStatus.NO_MORE_TRIAL,
                ExperimentStatus.DONE);
        assertThat(h.summary().count(TrialStatus.SUCCEEDED)).isEqualTo(30);
    }

    @Test
    void scriptedPlatformNeverHoldsMoreThanTrialConcurrency() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(10).succeedingWith(0.5);
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(4).maxTrialNumber(25)
                .platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(25);
        assertThat(platform.peakLive()).isLessThanOrEqualTo(4);
        assertThat(platform.isClosed()).isTrue();
    }

    @Test
    void aQueuedTrialsMessageSaysWhyItWaitsUntilItRuns() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(1).onSubmit(spec -> List.of());
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1).maxTrialNumber(1)
                .platform(platform).listener(listener));
        TrialId id = platform.awaitSubmitted(1, WAIT).get(0).id();

        platform.emit(new TrialEvent.Waiting(id, "job 7 pending: Priority", Instant.now()));
        platform.emit(new TrialEvent.Waiting(id, "job 7 pending: Priority", Instant.now()));
        platform.emit(new TrialEvent.Waiting(id, "job 7 pending: Resources", Instant.now()));
        List<RecordingListener.Event> waits = listener.await(RecordingListener.Event.Waiting.class::isInstance, 2,
                WAIT);
        assertThat(waits).extracting(e -> ((RecordingListener.Event.Waiting) e).trial().message())
                .containsExactly("job 7 pending: Priority", "job 7 pending: Resources");
        assertThat(h.trial(id)).hasValueSatisfying(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.WAITING);
            assertThat(t.message()).isEqualTo("job 7 pending: Resources");
        });

        platform.emit(platform.started(id));
        platform.emit(new TrialEvent.Waiting(id, "late: ignored once it runs", Instant.now()));
        listener.await(RecordingListener.Event.Started.class::isInstance, 1, WAIT);
        assertThat(h.trial(id)).hasValueSatisfying(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.RUNNING);
            assertThat(t.message()).isEmpty();
        });
        platform.reportFinal(id, 0.5);
        platform.end(id, TrialStatus.SUCCEEDED);
        finished(h);
        assertThat(listener.events()).filteredOn(RecordingListener.Event.Waiting.class::isInstance).hasSize(2);
        assertThat(h.trial(id)).hasValueSatisfying(t -> assertThat(t.message()).isEmpty());
    }

    @Test
    void platformFreeSlotsLimitSubmissions() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(2).startingOnly();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(5).maxTrialNumber(3)
                .platform(platform));

        List<TrialSpec> first = platform.awaitSubmitted(2, WAIT);
        platform.end(first.get(0).id(), TrialStatus.SUCCEEDED);
        List<TrialSpec> all = platform.awaitSubmitted(3, WAIT);
        platform.end(all.get(1).id(), TrialStatus.SUCCEEDED);
        platform.end(all.get(2).id(), TrialStatus.SUCCEEDED);

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.peakLive()).isEqualTo(2);
    }

    @Test
    void trialIdsAreUniqueNniLikeAndNumberedInOrder() throws Exception {
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(2).maxTrialNumber(20)
                .trialFunction((p, r) -> r.reportFinal(1)));

        finished(h);

        List<Trial> trials = h.trials();
        assertThat(trials).extracting(t -> t.id().value()).allMatch(id -> id.matches("[A-Za-z0-9]{5}"));
        assertThat(new HashSet<>(trials.stream().map(Trial::id).toList())).hasSize(20);
        for (int i = 0; i < trials.size(); i++) {
            assertThat(trials.get(i).sequence()).isEqualTo(i);
            assertThat(trials.get(i).parameterId()).isEqualTo(i);
            assertThat(trials.get(i).parameters().getInt("i")).isEqualTo(i);
            assertThat(trials.get(i).platform()).isEqualTo("in-process");
        }
        assertThat(h.trial(trials.get(3).id())).contains(trials.get(3));
        assertThat(h.trial(TrialId.of("nope"))).isEmpty();
        assertThat(h.experimentId()).matches("[A-Za-z0-9]{8}");
    }

    @Test
    void maxExecDurationStopsSubmittingAndLetsRunningTrialsFinish() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(5, clock).startingOnly();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(2)
                .maxExecDuration(Duration.ofHours(1)).clock(clock).scheduler(scheduler).listener(listener)
                .platform(platform));
        List<TrialSpec> submitted = platform.awaitSubmitted(2, WAIT);
        scheduler.awaitPendingTasks(1, WAIT);

        scheduler.advance(Duration.ofMinutes(59));
        platform.end(submitted.get(0).id(), TrialStatus.SUCCEEDED);
        platform.awaitSubmitted(3, WAIT);
        scheduler.advance(Duration.ofMinutes(1));
        listener.awaitStatus(ExperimentStatus.NO_MORE_TRIAL, WAIT);

        assertThat(h.status()).isEqualTo(ExperimentStatus.NO_MORE_TRIAL);
        assertThat(platform.cancelled()).isEmpty();
        List<TrialSpec> all = platform.submitted();
        assertThat(all).hasSize(3);
        platform.end(all.get(1).id(), TrialStatus.SUCCEEDED);
        platform.end(all.get(2).id(), TrialStatus.FAILED);
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.submitted()).hasSize(3);
        assertThat(h.summary().elapsed()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void trialsStillRunningAfterTheDeadlineGraceAreCancelledNamingTheLimit() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(2, clock).startingOnly();
        java.time.Instant start = clock.instant();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(2)
                .maxExecDuration(Duration.ofHours(1)).deadlineGrace(Duration.ofMinutes(10)).clock(clock)
                .scheduler(scheduler).platform(platform));
        platform.awaitSubmitted(2, WAIT);
        scheduler.awaitPendingTasks(1, WAIT);
        assertThat(h.deadlineGraceEnd()).isEmpty();

        scheduler.advance(Duration.ofHours(1));
        scheduler.awaitPendingTasks(1, WAIT);
        assertThat(h.deadlineGraceEnd()).contains(start.plus(Duration.ofMinutes(70)));
        assertThat(platform.cancelled()).isEmpty();
        platform.end(platform.submitted().get(0).id(), TrialStatus.SUCCEEDED);
        scheduler.advance(Duration.ofMinutes(10));

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(platform.cancelled()).containsExactly(platform.submitted().get(1).id());
        Trial hung = h.trial(platform.submitted().get(1).id()).orElseThrow();
        assertThat(hung.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(hung.message()).contains("maxExecDuration of PT1H").contains("deadline grace of PT10M");
        assertThat(h.trial(platform.submitted().get(0).id()).orElseThrow().status())
                .isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void withoutAGraceSettingAHungTrialIsCancelledTenMinutesAfterTheDeadline() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(1, clock).startingOnly();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1)
                .maxExecDuration(Duration.ofMinutes(5)).clock(clock).scheduler(scheduler).platform(platform));
        platform.awaitSubmitted(1, WAIT);
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofMinutes(5));
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertThat(platform.cancelled()).isEmpty();
        scheduler.advance(Duration.ofSeconds(1));

        finished(h);
        assertThat(h.trials()).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.USER_CANCELED);
            assertThat(t.message()).contains("deadline grace of PT10M");
        });
    }

    @Test
    void aZeroDeadlineGraceCancelsRunningTrialsAtTheDeadline() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(1, clock).startingOnly();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1)
                .maxExecDuration(Duration.ofMinutes(5)).deadlineGrace(Duration.ZERO).clock(clock)
                .scheduler(scheduler).platform(platform));
        platform.awaitSubmitted(1, WAIT);
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofMinutes(5));

        finished(h);
        assertThat(h.trials()).singleElement().extracting(Trial::status).isEqualTo(TrialStatus.USER_CANCELED);
    }

    @Test
    void aTrialRunningLongerThanMaxTrialDurationEndsEarlyStoppedNamingTheLimitAndIsNotRunAgain() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(2, clock).startingOnly();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(2).maxTrialNumber(2)
                .maxTrialDuration(Duration.ofSeconds(5)).clock(clock).scheduler(scheduler).platform(platform));
        List<TrialSpec> specs = platform.awaitSubmitted(2, WAIT);
        scheduler.awaitPendingTasks(2, WAIT);
        scheduler.advance(Duration.ofSeconds(4));
        platform.reportFinal(specs.get(0).id(), 0.5);
        platform.end(specs.get(0).id(), TrialStatus.SUCCEEDED);
        scheduler.advance(Duration.ofSeconds(1));

        finished(h);
        assertThat(platform.cancelled()).containsExactly(specs.get(1).id());
        assertThat(platform.submitted()).hasSize(2);
        Trial slow = h.trial(specs.get(1).id()).orElseThrow();
        assertThat(slow.status()).isEqualTo(TrialStatus.EARLY_STOPPED);
        assertThat(slow.message()).isEqualTo("exceeded maxTrialDuration of PT5S");
        assertThat(h.trial(specs.get(0).id()).orElseThrow().status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void aTrialOverMaxTrialDurationIsNotResubmittedByAHybridPlatformWhateverItsChildReports() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform a = FakePlatform.withSlots(1, clock).startingOnly().ignoreCancel();
        FakePlatform b = FakePlatform.withSlots(1, clock).startingOnly().ignoreCancel();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1).maxTrialNumber(1)
                .maxTrialDuration(Duration.ofSeconds(5)).clock(clock).scheduler(scheduler)
                .platform(dev.hybrid.platform.HybridPlatform.builder().add(a).add(b).build()));
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofSeconds(5));
        FakePlatform ran = a.submitted().isEmpty() ? b : a;
        TrialId id = ran.submitted().get(0).id();
        ran.awaitCancelled(id, WAIT);
        // A kill that the child takes for a lost machine: HybridPlatform must not run the trial elsewhere.
        ran.end(id, TrialStatus.SYS_CANCELED);

        finished(h);
        assertThat(a.submitted().size() + b.submitted().size()).isEqualTo(1);
        assertThat(h.trials()).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.EARLY_STOPPED);
            assertThat(t.message()).contains("maxTrialDuration");
        });
    }

    @Test
    void anInProcessTrialOverMaxTrialDurationIsInterruptedAndEndsEarlyStopped() throws Exception {
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1).maxTrialNumber(1)
                .maxTrialDuration(Duration.ofMillis(200)).trialFunction((params, reporter) -> {
                    reporter.reportIntermediate(1.0);
                    new CountDownLatch(1).await();
                }));

        finished(h);
        assertThat(h.trials()).singleElement().satisfies(t -> {
            assertThat(t.status()).isEqualTo(TrialStatus.EARLY_STOPPED);
            assertThat(t.message()).isEqualTo("exceeded maxTrialDuration of PT0.2S");
        });
    }

    @Test
    void maxTrialDurationAndDeadlineGraceAreChecked() {
        ConfigException e = catchThrowableOfType(() -> builder().tuner(new ScriptedTuner())
                .platform(FakePlatform.withSlots(1)).maxTrialDuration(Duration.ZERO)
                .deadlineGrace(Duration.ofSeconds(-1)).build(), ConfigException.class);
        assertThat(e.problems()).extracting(p -> p.path().value())
                .containsExactly("maxTrialDuration", "deadlineGrace");
    }

    // ------------------------------------------------------------------ builder validation

    @Test
    void builderReportsEveryProblemAtOnceWithNniPaths() {
        ExperimentBuilder b = Experiment.builder().trialConcurrency(0).maxTrialNumber(0)
                .maxExecDuration(Duration.ZERO).experimentId("bad id!").name(" ")
                .platform(FakePlatform.withSlots(1)).trialFunction((p, r) -> { });

        ConfigException e = catchThrowableOfType(ConfigException.class, b::build);

        assertThat(e.problems()).extracting(p -> p.path().value()).containsExactlyInAnyOrder("experimentId",
                "experimentName", "trialConcurrency", "maxTrialNum", "maxExecDuration", "searchSpace", "tuner",
                "trainingService");
        assertThat(e.problems()).extracting(ConfigProblem::toString).contains(
                "trialConcurrency: must be >= 1, was 0", "maxTrialNum: must be >= 1, was 0",
                "searchSpace: is required", "tuner: is required",
                "trainingService: set either a platform or a trial function, not both");
        assertThat(e.getMessage()).startsWith("8 problems:");
    }

    @Test
    void anIdStartingWithADashIsRefusedAndOneWithADashInsideIsNot() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> builder().experimentId("-rf")
                .tuner(new ScriptedTuner()).trialFunction((p, r) -> { }).build());

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path().value()).isEqualTo("experimentId");
            assertThat(p.message()).contains("not starting with '-'").contains("'-rf'");
        });
        try (Experiment ok = builder().experimentId("a-b_1").tuner(new ScriptedTuner()).trialFunction((p, r) -> { })
                .build()) {
            assertThat(ok.id()).isEqualTo("a-b_1");
        }
    }

    @Test
    void builderNeedsAPlatformOrATrialFunction() {
        assertThatThrownBy(() -> builder().tuner(new ScriptedTuner()).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("trainingService: is required: set a platform or a trial function");
    }

    @Test
    void unknownTunerNameListsTheKnownOnes() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> builder().tuner("Tpe", Map.of()).trialFunction((p, r) -> { }).build());

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path().value()).isEqualTo("tuner.builtinTunerName");
            assertThat(p.message()).startsWith("unknown tuner 'Tpe'; known: [").contains("TestCounting", "TestOther");
        });
    }

    @Test
    void badClassArgsAreReportedAtTheirPathsWithTheOtherProblems() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> builder().tuner("TestCounting", Map.of("scale", 99, "optimize_mode", "sideways", "typo", 1))
                        .trialConcurrency(-1).trialFunction((p, r) -> { }).build());

        assertThat(e.problems()).extracting(p -> p.path().value()).containsExactlyInAnyOrder("trialConcurrency",
                "tuner.classArgs.scale", "tuner.classArgs.optimize_mode", "tuner.classArgs.typo");
    }

    @Test
    void conflictingOptimizeModesAreAProblem() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> builder().tuner("TestCounting", Map.of("optimize_mode", "minimize"))
                        .optimizeMode(OptimizeMode.MAXIMIZE).trialFunction((p, r) -> { }).build());

        assertThat(e.problems()).extracting(p -> p.path().value()).containsExactly("tuner.classArgs.optimize_mode");
    }

    @Test
    void searchSpaceFileProblemsCarryTheirPaths(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("search_space.json");
        Files.writeString(bad, "{\"lr\": {\"_type\": \"loguniform\", \"_value\": [0, 1]}}");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> Experiment.builder().searchSpace(bad)
                .tuner(new ScriptedTuner()).trialFunction((p, r) -> { }).build());
        ConfigException missing = catchThrowableOfType(ConfigException.class, () -> Experiment.builder()
                .searchSpace(dir.resolve("absent.json")).tuner(new ScriptedTuner()).trialFunction((p, r) -> { })
                .build());

        assertThat(e.problems()).allSatisfy(p -> assertThat(p.path().value()).startsWith("searchSpace.lr"));
        assertThat(missing.problems()).extracting(p -> p.path().value()).containsExactly("searchSpaceFile");
    }

    @Test
    void searchSpaceFileIsReadAndGivenToTheTuner(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("search_space.json");
        Files.writeString(file, SPACE.toJson());
        ScriptedTuner tuner = new ScriptedTuner();

        ExperimentHandle h = start(Experiment.builder().searchSpace(file).tuner(tuner).maxTrialNumber(1)
                .trialFunction((p, r) -> r.reportFinal(1)));

        finished(h);
        assertThat(tuner.calls().get(0)).isEqualTo(new Call.UpdateSearchSpace(SPACE));
    }

    // ------------------------------------------------------------------ trial failures

    @Test
    void aThrowingTrialFailsAloneAndTheExperimentIsDone() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner();
        ExperimentHandle h = start(builder().tuner(tuner).trialConcurrency(2).maxTrialNumber(6)
                .trialFunction((p, r) -> {
                    if (p.getInt("i") == 2) {
                        throw new IllegalStateException("out of memory for trial two");
                    }
                    r.reportFinal(p.getDouble("i"));
                }));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        Trial failed = h.trials().get(2);
        assertThat(failed.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(failed.message()).contains("IllegalStateException", "out of memory for trial two");
        assertThat(h.trials()).filteredOn(t -> t.status() == TrialStatus.SUCCEEDED).hasSize(5);
        assertThat(tuner.ends()).contains(new Call.End(failed.id(), TrialStatus.FAILED));
    }

    @Test
    void aBadFinalMetricFailsOnlyItsTrial() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner();
        ExperimentHandle h = start(builder().tuner(tuner).maxTrialNumber(3)
                .trialFunction((p, r) -> {
                    if (p.getInt("i") == 1) {
                        r.reportFinal(Map.of("loss", 0.3));
                    } else {
                        r.reportFinal(Map.of("default", 0.9, "loss", 0.1));
                    }
                }));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        Trial bad = h.trials().get(1);
        assertThat(bad.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(bad.message()).contains("bad final metric", "default");
        assertThat(bad.finalMetric()).isPresent();
        assertThat(bad.finalValue()).isEmpty();
        assertThat(tuner.results()).extracting(Call.Result::trial).doesNotContain(bad.id()).hasSize(2);
        assertThat(tuner.results()).extracting(Call.Result::value).containsOnly(0.9);
        assertThat(tuner.ends()).contains(new Call.End(bad.id(), TrialStatus.FAILED));
    }

    @Test
    void aFinalMetricAfterEndedIsCreditedToTheTuner() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner();
        FakePlatform platform = FakePlatform.withSlots(2);
        platform.onSubmit(spec -> List.of(platform.started(spec.id()), platform.ended(spec.id(), TrialStatus.SUCCEEDED),
                platform.finalMetric(spec.id(), 0.25 + spec.sequence())));
        ExperimentHandle h = start(builder().tuner(tuner).maxTrialNumber(2).platform(platform));

        finished(h);

        assertThat(tuner.results()).extracting(Call.Result::value).containsExactly(0.25, 1.25);
        assertThat(h.trials()).extracting(t -> t.finalValue().orElseThrow()).containsExactly(0.25, 1.25);
        assertThat(h.bestTrial().orElseThrow().finalValue()).contains(1.25);
    }

    @Test
    void aLateBadFinalMetricFailsTheEndedTrial() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(1);
        platform.onSubmit(spec -> List.of(platform.started(spec.id()), platform.ended(spec.id(), TrialStatus.SUCCEEDED),
                platform.metric(spec.id(), MetricType.FINAL, 0, "\"not a number\"")));
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(2).platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).extracting(Trial::status).containsOnly(TrialStatus.FAILED);
        assertThat(h.trials().get(0).message()).contains("bad final metric");
    }

    @Test
    void eventsForUnknownTrialsAreIgnored() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(1);
        platform.onSubmit(spec -> List.of(platform.ended(TrialId.of("ghost"), TrialStatus.SUCCEEDED),
                platform.finalMetric(TrialId.of("ghost"), 3), platform.started(spec.id()),
                platform.finalMetric(spec.id(), 1), platform.ended(spec.id(), TrialStatus.SUCCEEDED)));
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(2).platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(2).extracting(Trial::status).containsOnly(TrialStatus.SUCCEEDED);
    }

    @Test
    void aRefusedSubmissionFailsThatTrialAndTheLoopGoesOn() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(2).succeedingWith(1);
        platform.failNextSubmit(new PlatformException("fake", "disk full", false, null));
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(3).platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).extracting(Trial::status).containsExactly(TrialStatus.FAILED, TrialStatus.SUCCEEDED,
                TrialStatus.SUCCEEDED);
        assertThat(h.trials().get(0).message()).contains("submission failed", "disk full");
    }

    @Test
    void aRetryableSubmissionFailureIsRetriedAfterABackoff() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(2, clock).succeedingWith(1);
        platform.failNextSubmit(new PlatformException("fake", "busy", true, null));
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(1).platform(platform)
                .clock(clock).scheduler(scheduler));
        scheduler.awaitPendingTasks(1, WAIT);
        assertThat(platform.submitted()).isEmpty();

        scheduler.advance(Duration.ofSeconds(1));

        finished(h);
        assertThat(h.trials()).singleElement().extracting(Trial::status).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(platform.submitted()).hasSize(1);
    }

    @Test
    void aPlatformWithNoFreeSlotIsCheckedAgainLater() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform busy = FakePlatform.withSlots(0, clock);
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(1).platform(busy)
                .clock(clock).scheduler(scheduler));

        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofSeconds(1));
        scheduler.awaitPendingTasks(1, WAIT);

        assertThat(h.trials()).isEmpty();
        assertThat(h.status()).isEqualTo(ExperimentStatus.RUNNING);
        h.stop();
        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
    }

    @Test
    void submissionsThatKeepFailingEndTheExperimentInError() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(2).succeedingWith(1);
        for (int i = 0; i < 6; i++) {
            platform.failNextSubmit(new PlatformException("fake", "unreachable", false, null));
        }
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
        assertThat(h.failure()).containsInstanceOf(PlatformException.class);
        assertThat(h.trials()).hasSize(5).extracting(Trial::status).containsOnly(TrialStatus.FAILED);
    }

    @Test
    void aPlatformThatCannotStartEndsTheExperimentInError() throws Exception {
        FakePlatform platform = FakePlatform.withSlots(1)
                .failStart(new PlatformException("fake", "cluster unreachable", false, null));
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).platform(platform));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
        assertThat(h.failure().orElseThrow()).hasMessageContaining("cluster unreachable");
        assertThat(h.summary().failure()).hasValueSatisfying(m -> assertThat(m).contains("cluster unreachable"));
    }

    // ------------------------------------------------------------------ the tuner

    @Test
    void tunerDoneGivesTunerNoMoreTrialThenDone() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner().then(next(0), next(1), new Suggestion.Done());
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(tuner).trialConcurrency(1).listener(listener)
                .trialFunction((p, r) -> r.reportFinal(1)));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(listener.statuses()).containsExactly(ExperimentStatus.RUNNING,
                ExperimentStatus.TUNER_NO_MORE_TRIAL, ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(2);
        assertThat(tuner.suggestions()).hasSize(3);
    }

    @Test
    void laterWaitsForTheNextEventAndReusesTheTrialId() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner().then(next(0), new Suggestion.Later(), next(1),
                new Suggestion.Done());
        FakePlatform platform = FakePlatform.withSlots(3).startingOnly();
        ExperimentHandle h = start(builder().tuner(tuner).trialConcurrency(2).platform(platform));
        TrialId a = platform.awaitSubmitted(1, WAIT).get(0).id();

        platform.end(a, TrialStatus.SUCCEEDED);
        TrialId b = platform.awaitSubmitted(2, WAIT).get(1).id();
        platform.end(b, TrialStatus.SUCCEEDED);

        finished(h);
        List<Call> calls = tuner.calls();
        assertThat(calls.subList(1, 5)).containsExactly(
                new Call.Suggest(a, next(0)),
                new Call.Suggest(b, new Suggestion.Later()),
                new Call.End(a, TrialStatus.SUCCEEDED),
                new Call.Suggest(b, next(1)));
        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
    }

    @Test
    void aTunerExceptionEndsTheExperimentInErrorAndCancelsRunningTrials() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner().then(next(0)).thenThrow(new IllegalStateException("tuner bug"));
        FakePlatform platform = FakePlatform.withSlots(3).startingOnly();
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(tuner).trialConcurrency(2).platform(platform)
                .listener(listener));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
        assertThat(h.failure().orElseThrow()).isInstanceOf(TunerException.class)
                .hasRootCauseInstanceOf(IllegalStateException.class).hasMessageContaining("tuner bug");
        Trial t = h.trials().get(0);
        assertThat(t.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(platform.cancelled()).containsExactly(t.id());
        assertThat(platform.isClosed()).isTrue();
        assertThat(listener.statuses()).containsExactly(ExperimentStatus.RUNNING, ExperimentStatus.ERROR);
    }

    @Test
    void aTunerExceptionInOnResultEndsTheExperimentInError() throws Exception {
        ScriptedTuner tuner = new ScriptedTuner().failOnResult(new ArithmeticException("divide by zero"));
        ExperimentHandle h = start(builder().tuner(tuner).trialConcurrency(2).maxTrialNumber(10)
                .trialFunction((p, r) -> r.reportFinal(1)));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
        assertThat(h.failure().orElseThrow()).hasRootCauseInstanceOf(ArithmeticException.class);
        assertThat(h.trials()).allSatisfy(t -> assertThat(t.isFinished()).isTrue());
    }

    @Test
    void aTunerBuiltByNameGetsTheSeedAndItsOptimizeMode() throws Exception {
        ExperimentHandle h = start(builder().tuner("TestCounting", Map.of("optimize_mode", "minimize"))
                .maxTrialNumber(5).trialFunction((p, r) -> r.reportFinal(p.getDouble("x"))));

        finished(h);

        double min = h.trials().stream().mapToDouble(t -> t.finalValue().orElseThrow()).min().orElseThrow();
        assertThat(h.bestTrial().orElseThrow().finalValue()).contains(min);
    }

    // ------------------------------------------------------------------ stop and close

    @Test
    void stopCancelsRunningTrialsAndEndsStopped() throws Exception {
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(2).listener(listener)
                .trialFunction((p, r) -> new CountDownLatch(1).await()));
        listener.awaitStarted(2, WAIT);

        h.stop();

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(h.trials()).hasSize(2).extracting(Trial::status).containsOnly(TrialStatus.USER_CANCELED);
        assertThat(listener.statuses()).containsExactly(ExperimentStatus.RUNNING, ExperimentStatus.STOPPING,
                ExperimentStatus.STOPPED);
        h.stop();
        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
    }

    @Test
    void cancelledTrialsThatNeverReportTheirEndAreRecordedAfterTheGrace() throws Exception {
        FakeClock clock = new FakeClock();
        FakeScheduler scheduler = new FakeScheduler(clock);
        FakePlatform platform = FakePlatform.withSlots(2, clock).startingOnly().ignoreCancel();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(1).platform(platform)
                .clock(clock).scheduler(scheduler));
        platform.awaitSubmitted(1, WAIT);

        h.stop();
        scheduler.awaitPendingTasks(1, WAIT);
        scheduler.advance(Duration.ofSeconds(30));

        finished(h);
        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(h.trials()).singleElement().extracting(Trial::status).isEqualTo(TrialStatus.USER_CANCELED);
    }

    @Test
    void closeStopsARunningExperimentButNotTheUsersScheduler() throws Exception {
        ScheduledExecutorService mine = Executors.newSingleThreadScheduledExecutor();
        try {
            RecordingListener listener = new RecordingListener();
            Experiment e = builder().tuner(new ScriptedTuner()).trialConcurrency(2).scheduler(mine)
                    .listener(listener).trialFunction((p, r) -> new CountDownLatch(1).await()).build();
            ExperimentHandle h = e.start();
            listener.awaitStarted(2, WAIT);

            e.close();
            e.close();

            assertThat(h.isFinished()).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
            assertThat(h.trials()).extracting(Trial::status).containsOnly(TrialStatus.USER_CANCELED);
            assertThat(mine.isShutdown()).isFalse();
            assertThatThrownBy(e::start).isInstanceOf(IllegalStateException.class);
        } finally {
            mine.shutdownNow();
        }
    }

    @Test
    void closeFromAListenerStopsTheExperimentWithoutDeadlock() throws Exception {
        Experiment[] self = new Experiment[1];
        Experiment e = builder().tuner(new ScriptedTuner()).trialConcurrency(2)
                .listener(new ExperimentListener() {
                    @Override
                    public void onTrialStarted(Trial trial) {
                        self[0].close();
                    }
                })
                .trialFunction((p, r) -> new CountDownLatch(1).await()).build();
        self[0] = e;
        experiments.add(e);

        ExperimentHandle h = finished(e.start());

        assertThat(h.status()).isEqualTo(ExperimentStatus.STOPPED);
        assertThat(h.trials()).extracting(Trial::status).containsOnly(TrialStatus.USER_CANCELED);
    }

    @Test
    void anExperimentStartsOnlyOnce() {
        Experiment e = builder().tuner(new ScriptedTuner()).maxTrialNumber(1).trialFunction((p, r) -> { }).build();
        experiments.add(e);
        e.start();

        assertThatThrownBy(e::start).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------ best trial and listeners

    private ExperimentHandle runWithFinals(OptimizeMode mode, double... values) throws Exception {
        return finished(start(builder().tuner(new ScriptedTuner()).optimizeMode(mode).maxTrialNumber(values.length)
                .trialFunction((p, r) -> r.reportFinal(values[p.getInt("i")]))));
    }

    @Test
    void bestTrialFollowsTheOptimizeMode() throws Exception {
        ExperimentHandle max = runWithFinals(OptimizeMode.MAXIMIZE, 3, 7, 1, 5);
        ExperimentHandle min = runWithFinals(OptimizeMode.MINIMIZE, 3, 7, 1, 5);

        assertThat(max.bestTrial().orElseThrow().finalValue()).contains(7.0);
        assertThat(min.bestTrial().orElseThrow().finalValue()).contains(1.0);
        assertThat(max.summary().bestTrial()).isEqualTo(max.bestTrial());
    }

    @Test
    void nonFiniteResultsFailTheirTrialsAndNeverWinBestTrialSelection() throws Exception {
        ExperimentHandle max = runWithFinals(OptimizeMode.MAXIMIZE, Double.NaN, 2, Double.POSITIVE_INFINITY, 5,
                Double.NaN);
        ExperimentHandle min = runWithFinals(OptimizeMode.MINIMIZE, Double.NaN, 2, Double.NEGATIVE_INFINITY, 5,
                Double.NaN);
        ExperimentHandle none = runWithFinals(OptimizeMode.MAXIMIZE, Double.NaN, Double.POSITIVE_INFINITY);

        assertThat(max.bestTrial().orElseThrow().finalValue()).contains(5.0);
        assertThat(min.bestTrial().orElseThrow().finalValue()).contains(2.0);
        assertThat(none.bestTrial()).isEmpty();
        assertThat(none.trials()).extracting(Trial::status).containsOnly(TrialStatus.FAILED);
        assertThat(none.trials()).allSatisfy(t -> assertThat(t.message()).contains("finite number"));
        assertThat(max.trials()).filteredOn(t -> t.status() == TrialStatus.FAILED).hasSize(3);
    }

    @Test
    void listenersSeeEveryEventInOrder() throws Exception {
        RecordingListener listener = new RecordingListener();
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(2).listener(listener)
                .trialFunction((p, r) -> {
                    r.reportIntermediate(0.5);
                    r.reportFinal(1);
                }));

        finished(h);

        List<String> seen = listener.events().stream().map(ExperimentTest::describe).toList();
        List<Trial> t = h.trials();
        String a = t.get(0).id().value();
        String b = t.get(1).id().value();
        assertThat(seen).containsExactly("status RUNNING",
                "submitted " + a, "started " + a, "metric " + a + " PERIODICAL", "metric " + a + " FINAL",
                "ended " + a + " SUCCEEDED",
                "submitted " + b, "status NO_MORE_TRIAL", "started " + b, "metric " + b + " PERIODICAL",
                "metric " + b + " FINAL", "ended " + b + " SUCCEEDED", "status DONE");
        Event.Ended ended = (Event.Ended) listener.events().get(5);
        assertThat(ended.trial().intermediate()).hasSize(1);
        assertThat(ended.trial().finalValue()).contains(1.0);
        assertThat(ended.trial().started()).isPresent();
        assertThat(ended.trial().ended()).isPresent();
    }

    @Test
    void aThrowingListenerDoesNotHurtTheExperiment() throws Exception {
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).maxTrialNumber(3)
                .listener(new ExperimentListener() {
                    @Override
                    public void onTrialEnded(Trial trial) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .trialFunction((p, r) -> r.reportFinal(1)));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(3);
    }

    private static String describe(Event e) {
        if (e instanceof Event.StatusChanged s) {
            return "status " + s.status();
        } else if (e instanceof Event.Submitted s) {
            return "submitted " + s.trial().id();
        } else if (e instanceof Event.Started s) {
            return "started " + s.trial().id();
        } else if (e instanceof Event.MetricReported m) {
            return "metric " + m.trial() + " " + m.metric().type();
        } else if (e instanceof Event.Ended s) {
            return "ended " + s.trial().id() + " " + s.trial().status();
        }
        return e.toString();
    }

    // ------------------------------------------------------------------ assessor

    @Test
    void aBadVerdictStopsTheTrialEarlyAndTheExperimentGoesOn() throws Exception {
        List<List<Double>> judged = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<TrialStatus> endedForAssessor = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.hybrid.assessor.Assessor stopLowOnes = new dev.hybrid.assessor.Assessor() {
            @Override
            public dev.hybrid.assessor.Verdict assess(dev.hybrid.trial.TrialId trial, List<Double> results) {
                judged.add(results);
                return results.get(results.size() - 1) < 0.5 ? dev.hybrid.assessor.Verdict.BAD
                        : dev.hybrid.assessor.Verdict.GOOD;
            }

            @Override
            public void onTrialEnd(dev.hybrid.trial.TrialId trial, TrialStatus status) {
                endedForAssessor.add(status);
            }
        };
        ScriptedTuner tuner = new ScriptedTuner().then(next(0.9), next(0.1), next(0.8), next(0.2));
        ExperimentHandle h = start(builder().tuner(tuner).assessor(stopLowOnes).trialConcurrency(2)
                .maxTrialNumber(4)
                .trialFunction((p, r) -> {
                    double x = ((Number) p.values().get("i")).doubleValue();
                    r.reportIntermediate(x);
                    if (x < 0.5) {
                        new CountDownLatch(1).await(); // a poor trial would run on; the assessor cancels it
                    }
                    r.reportIntermediate(x);
                    r.reportFinal(x);
                }));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).extracting(Trial::status).containsExactly(TrialStatus.SUCCEEDED,
                TrialStatus.EARLY_STOPPED, TrialStatus.SUCCEEDED, TrialStatus.EARLY_STOPPED);
        assertThat(h.trials().get(1).message()).contains("stopped early");
        assertThat(h.trials().get(1).intermediate()).hasSize(1);
        assertThat(endedForAssessor).hasSize(4).contains(TrialStatus.EARLY_STOPPED);
        assertThat(judged).contains(List.of(0.9, 0.9));
    }

    @Test
    void withIncludeIntermediateResultsAnEarlyStoppedTrialGivesTheTunerItsLastIntermediateResult() throws Exception {
        dev.hybrid.assessor.Assessor stopLow = (trial, results) -> results.get(results.size() - 1) < 0.5
                ? dev.hybrid.assessor.Verdict.BAD : dev.hybrid.assessor.Verdict.GOOD;
        for (boolean include : new boolean[] {true, false}) {
            ScriptedTuner tuner = new ScriptedTuner().then(next(0.2), next(0.9));
            ExperimentHandle h = start(builder().tuner(tuner).assessor(stopLow).includeIntermediateResults(include)
                    .trialConcurrency(1).maxTrialNumber(2)
                    .trialFunction((p, r) -> {
                        double x = ((Number) p.values().get("i")).doubleValue();
                        r.reportIntermediate(x);
                        if (x < 0.5) {
                            new CountDownLatch(1).await();
                        }
                        r.reportFinal(x);
                    }));
            finished(h);
            assertThat(h.trials()).extracting(Trial::status).containsExactly(TrialStatus.EARLY_STOPPED,
                    TrialStatus.SUCCEEDED);
            assertThat(tuner.results()).as("include=%s", include).hasSize(include ? 2 : 1);
            if (include) {
                assertThat(tuner.results().get(0).value()).isEqualTo(0.2);
            }
        }
    }

    // ------------------------------------------------------------------ hybrid mode

    @Test
    void trialsOnSeveralPlatformsRecordTheChildThatRanThem() throws Exception {
        FakePlatform a = FakePlatform.withSlots(1).succeedingWith(0.5);
        dev.hybrid.platform.InProcessPlatform b = dev.hybrid.platform.InProcessPlatform.create(
                (p, r) -> r.reportFinal(0.7), 2);
        // Round-robin: the first trial goes to the fake, whatever the timing of the in-process threads.
        ExperimentHandle h = start(builder().tuner(new ScriptedTuner()).trialConcurrency(3).maxTrialNumber(12)
                .platform(dev.hybrid.platform.HybridPlatform.builder().add(a).add(b)
                        .policy(dev.hybrid.platform.DispatchPolicy.roundRobin()).build()));

        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(12).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
        assertThat(h.trials()).extracting(Trial::platform).contains("fake", "in-process").doesNotContain("hybrid");
        assertThat(a.submitted().size() + h.trials().stream().filter(t -> t.platform().equals("in-process"))
                .count()).isEqualTo(12);
    }
}
