package dev.hybrid.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.space.Parameters;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialFunction;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link TrainingPlatform} must have. A platform's test extends this class and implements
 * {@link #newPlatform}; the scenario hooks say how to make a trial that succeeds, one that fails and one that runs
 * until cancelled. By default they return specs whose {@code scenario} parameter names the scenario
 * ({@value #SUCCEED}, {@value #FAIL}, {@value #BLOCK}); {@link #scenarioFunction()} runs them in-process, and a
 * process platform can run a trial script that reads the parameter, or override the hooks.
 *
 * <p>The scenarios: {@value #SUCCEED} reports intermediate results 1, 2, 3 and the final result 4, then exits 0;
 * {@value #FAIL} exits with code 3 (or throws, in-process); {@value #BLOCK} runs until it is cancelled.
 */
public abstract class TrainingPlatformContract {
    /** The parameter naming a scenario. */
    public static final String SCENARIO = "scenario";
    /** Reports 1, 2, 3, then the final 4, and succeeds. */
    public static final String SUCCEED = "succeed";
    /** Fails: exit code 3, or an exception in-process. */
    public static final String FAIL = "fail";
    /** Runs until cancelled. */
    public static final String BLOCK = "block";

    @TempDir
    protected Path workDir;
    protected TrainingPlatform platform;
    protected RecordingSink sink;
    private final AtomicInteger sequence = new AtomicInteger();

    /** A fresh platform, not started, keeping its files under {@code workDir}. */
    protected abstract TrainingPlatform newPlatform(Path workDir) throws Exception;

    /** A trial that reports intermediate results 1, 2, 3 and the final result 4, then succeeds. */
    protected TrialSpec succeedingTrial(TrialId id, int sequence) {
        return scenarioSpec(id, sequence, SUCCEED);
    }

    /** A trial that fails: exits with code 3 (or throws, for an in-process platform). */
    protected TrialSpec failingTrial(TrialId id, int sequence) {
        return scenarioSpec(id, sequence, FAIL);
    }

    /** A trial that runs until it is cancelled. */
    protected TrialSpec blockingTrial(TrialId id, int sequence) {
        return scenarioSpec(id, sequence, BLOCK);
    }

    /** The exit code a failing trial's {@code Ended} must carry, or empty where the platform has none. */
    protected Optional<Integer> failureExitCode() {
        return Optional.of(3);
    }

    /** How long to wait for any one event. */
    protected Duration timeout() {
        return Duration.ofSeconds(30);
    }

    /** How long to watch for events that must not come. */
    protected Duration quietWindow() {
        return Duration.ofMillis(300);
    }

    /** The most slots the free-slot check fills; platforms with more skip it. */
    protected int maxSlotsToFill() {
        return 16;
    }

    /** A spec whose {@code scenario} parameter is {@code scenario}. */
    public static TrialSpec scenarioSpec(TrialId id, int sequence, String scenario) {
        return new TrialSpec(id, sequence, sequence, new Parameters(Map.of(SCENARIO, scenario)));
    }

    /** Runs the scenarios in-process: the trial function of an in-process platform under this contract. */
    public static TrialFunction scenarioFunction() {
        return (parameters, reporter) -> {
            String scenario = parameters.getString(SCENARIO);
            switch (scenario) {
                case SUCCEED -> {
                    reporter.reportIntermediate(1);
                    reporter.reportIntermediate(2);
                    reporter.reportIntermediate(3);
                    reporter.reportFinal(4);
                }
                case FAIL -> throw new IllegalStateException("scenario 'fail' fails (exit code 3)");
                case BLOCK -> new CountDownLatch(1).await();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        };
    }

    @BeforeEach
    void startPlatform() throws Exception {
        platform = newPlatform(workDir);
        sink = new RecordingSink();
        platform.start(sink);
    }

    @AfterEach
    void closePlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    private TrialId newId(String prefix) {
        return TrialId.of(prefix + sequence.get());
    }

    private TrialSpec submit(String scenario) {
        int seq = sequence.getAndIncrement();
        TrialId id = TrialId.of(scenario.charAt(0) + "trial" + seq);
        TrialSpec spec = switch (scenario) {
            case SUCCEED -> succeedingTrial(id, seq);
            case FAIL -> failingTrial(id, seq);
            default -> blockingTrial(id, seq);
        };
        platform.submit(spec);
        return spec;
    }

    @Test
    void submittedTrialStartsThenSucceeds() {
        TrialId id = submit(SUCCEED).id();

        TrialEvent.Ended ended = sink.awaitEnded(id, timeout());

        assertThat(ended.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(ended.exitCode()).satisfiesAnyOf(c -> assertThat(c).isEmpty(), c -> assertThat(c).contains(0));
        List<TrialEvent> events = sink.eventsOf(id);
        assertThat(events.get(0)).isInstanceOf(TrialEvent.Started.class);
        assertThat(events).filteredOn(TrialEvent.Started.class::isInstance).hasSize(1);
        assertThat(events).filteredOn(TrialEvent.Ended.class::isInstance).hasSize(1);
    }

    @Test
    void metricsArriveInOrderWithTheTrialsId() {
        TrialId id = submit(SUCCEED).id();

        sink.awaitEnded(id, timeout());
        List<TrialEvent> metrics = sink.awaitCount(
                e -> e instanceof TrialEvent.MetricReported && e.trial().equals(id), 4, timeout());

        List<Double> intermediate = new ArrayList<>();
        List<Integer> sequences = new ArrayList<>();
        List<Double> finals = new ArrayList<>();
        for (TrialEvent e : metrics) {
            var m = ((TrialEvent.MetricReported) e).metric();
            if (m.type() == MetricType.PERIODICAL) {
                intermediate.add(m.scalar());
                sequences.add(m.sequence());
            } else {
                finals.add(m.scalar());
            }
        }
        assertThat(intermediate).containsExactly(1.0, 2.0, 3.0);
        assertThat(sequences).containsExactly(0, 1, 2);
        assertThat(finals).containsExactly(4.0);
        assertThat(sink.events()).allSatisfy(e -> assertThat(e.trial()).isEqualTo(id));
        List<TrialEvent> events = sink.eventsOf(id);
        int lastIntermediate = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof TrialEvent.MetricReported m && m.metric().type() == MetricType.PERIODICAL) {
                lastIntermediate = i;
            }
        }
        assertThat(events.get(0)).isInstanceOf(TrialEvent.Started.class);
        int endedAt = events.indexOf(sink.events().stream().filter(TrialEvent.Ended.class::isInstance)
                .findFirst().orElseThrow());
        assertThat(lastIntermediate).as("intermediate metrics come before Ended").isLessThan(endedAt);
    }

    @Test
    void failingTrialEndsFailed() {
        TrialId id = submit(FAIL).id();

        TrialEvent.Ended ended = sink.awaitEnded(id, timeout());

        assertThat(ended.status()).isEqualTo(TrialStatus.FAILED);
        failureExitCode().ifPresent(code -> assertThat(ended.exitCode()).contains(code));
        assertThat(sink.eventsOf(id)).filteredOn(TrialEvent.Ended.class::isInstance).hasSize(1);
    }

    @Test
    void cancellingARunningTrialGivesExactlyOneUserCanceled() {
        TrialId id = submit(BLOCK).id();
        sink.awaitStarted(id, timeout());

        platform.cancel(id);
        TrialEvent.Ended ended = sink.awaitEnded(id, timeout());
        platform.cancel(id);

        assertThat(ended.status()).isEqualTo(TrialStatus.USER_CANCELED);
        sink.expectNoEvent(e -> e instanceof TrialEvent.Ended && e.trial().equals(id), quietWindow());
        assertThat(sink.eventsOf(id)).filteredOn(TrialEvent.Ended.class::isInstance).hasSize(1);
    }

    @Test
    void cancelOfFinishedTrialIsNoOp() {
        TrialId id = submit(SUCCEED).id();
        sink.awaitEnded(id, timeout());
        sink.awaitCount(e -> e instanceof TrialEvent.MetricReported m && m.metric().type() == MetricType.FINAL, 1,
                timeout());

        platform.cancel(id);

        sink.expectNoEvent(e -> e.trial().equals(id), quietWindow());
        assertThat(sink.eventsOf(id)).filteredOn(TrialEvent.Ended.class::isInstance).singleElement()
                .extracting(e -> ((TrialEvent.Ended) e).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void cancelOfUnknownTrialIsNoOp() {
        platform.cancel(TrialId.of("unknown-trial"));

        sink.expectNoEvent(quietWindow());
    }

    @Test
    void freeSlotsAreRespected() {
        int free = platform.freeSlots();
        assertThat(free).as("a started platform has a free slot").isPositive();
        assumeThat(free).as("platform has too many slots to fill in a test").isLessThanOrEqualTo(maxSlotsToFill());

        List<TrialId> running = new ArrayList<>();
        for (int i = 0; i < free; i++) {
            running.add(submit(BLOCK).id());
        }
        // Trials on different threads (or children of a hybrid platform) may start in any order.
        sink.awaitCount(e -> e instanceof TrialEvent.Started && running.contains(e.trial()), running.size(),
                timeout());
        assertThat(platform.freeSlots()).isZero();

        TrialSpec extra = blockingTrial(TrialId.of("extra"), sequence.getAndIncrement());
        boolean accepted;
        try {
            platform.submit(extra);
            accepted = true;
        } catch (PlatformException refused) {
            accepted = false;
        }
        if (accepted) {
            sink.expectNoEvent(e -> e instanceof TrialEvent.Started && e.trial().equals(extra.id()), quietWindow());
        }

        platform.cancel(running.get(0));
        sink.awaitEnded(running.get(0), timeout());
        if (accepted) {
            sink.awaitStarted(extra.id(), timeout());
        } else {
            assertThat(platform.freeSlots()).isEqualTo(1);
        }
    }

    @Test
    void submitAfterCloseThrows() {
        platform.close();

        assertThatThrownBy(() -> platform.submit(succeedingTrial(newId("late"), 99)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeIsIdempotentAndNoEventArrivesAfterIt() {
        TrialId id = submit(BLOCK).id();
        sink.awaitStarted(id, timeout());

        platform.close();
        platform.close();

        sink.expectNoEvent(quietWindow());
        assertThat(sink.eventsOf(id)).filteredOn(TrialEvent.Ended.class::isInstance).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void concurrentTrialsEachEndExactlyOnce() {
        int n = Math.min(platform.freeSlots(), 4);
        List<TrialId> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(submit(i % 2 == 0 ? SUCCEED : FAIL).id());
        }

        for (TrialId id : ids) {
            sink.awaitCount(e -> e instanceof TrialEvent.Ended && e.trial().equals(id), 1, timeout());
        }

        sink.expectNoEvent(e -> e instanceof TrialEvent.Ended, quietWindow());
        for (TrialId id : ids) {
            assertThat(sink.eventsOf(id)).filteredOn(TrialEvent.Ended.class::isInstance).hasSize(1);
        }
    }
}
