package dev.hybrid.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.testkit.FakeClock;
import dev.hybrid.testkit.FakePlatform;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HybridPlatformTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<HybridPlatform> platforms = new ArrayList<>();
    private final RecordingSink sink = new RecordingSink();

    @AfterEach
    void close() {
        platforms.forEach(HybridPlatform::close);
    }

    private HybridPlatform started(HybridPlatform p) {
        platforms.add(p);
        p.start(sink);
        return p;
    }

    private static TrialSpec spec(int i) {
        return TrainingPlatformContract.scenarioSpec(TrialId.of("t" + i), i, TrainingPlatformContract.BLOCK);
    }

    @Test
    void eachTrialGoesToExactlyOneChildAndIsRecordedThere() {
        FakePlatform a = FakePlatform.withSlots(2).startingOnly();
        FakePlatform b = FakePlatform.withSlots(2).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(a, b));
        assertThat(h.freeSlots()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            h.submit(spec(i));
        }
        assertThat(a.submitted()).hasSize(2);
        assertThat(b.submitted()).hasSize(2);
        assertThat(h.freeSlots()).isZero();
        assertThat(h.platformOf(TrialId.of("t0"))).contains("fake");
        assertThat(h.childNames()).containsExactly("fake", "fake#2");
        assertThatThrownBy(() -> h.submit(spec(9))).isInstanceOf(PlatformException.class)
                .hasMessageContaining("no platform has a free slot");
    }

    @Test
    void withLocalCapacityOneAndRemoteTwoAboutAThirdOfTheTrialsRunLocally() {
        FakePlatform local = FakePlatform.withSlots(1).startingOnly();
        FakePlatform remote = FakePlatform.withSlots(2).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(local, remote));
        java.util.ArrayDeque<TrialSpec> running = new java.util.ArrayDeque<>();
        for (int i = 0; i < 30; i++) {
            if (h.freeSlots() == 0) {
                TrialSpec oldest = running.poll();
                FakePlatform owner = local.live().contains(oldest.id()) ? local : remote;
                owner.end(oldest.id(), TrialStatus.SUCCEEDED);
            }
            TrialSpec s = spec(i);
            h.submit(s);
            running.add(s);
        }
        assertThat(local.submitted().size() + remote.submitted().size()).isEqualTo(30);
        assertThat(local.submitted().size()).isBetween(8, 12);
    }

    @Test
    void byDefaultTheMachinesSlotsFillBeforeALocalPlatformWithMoreRoomTakesTheRest() {
        // A local platform's slots are trialConcurrency (8); three machines of two slots are one remote child (6).
        FakePlatform local = FakePlatform.withSlots(8).startingOnly();
        FakePlatform remote = FakePlatform.withSlots(6).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(local, remote));
        java.util.ArrayDeque<TrialSpec> running = new java.util.ArrayDeque<>();
        int remoteBusyAtEachSubmit = 0;
        for (int i = 0; i < 60; i++) {
            if (running.size() == 8) {
                TrialSpec oldest = running.poll();
                FakePlatform owner = local.live().contains(oldest.id()) ? local : remote;
                owner.end(oldest.id(), TrialStatus.SUCCEEDED);
            }
            TrialSpec s = spec(i);
            h.submit(s);
            running.add(s);
            if (i >= 7) {
                remoteBusyAtEachSubmit += remote.live().size();
            }
        }
        // With 8 running at a time, the remote child's 6 slots are all busy after every submission.
        assertThat(remoteBusyAtEachSubmit).isEqualTo(6 * 53);
        assertThat(remote.submitted().size()).isGreaterThan(local.submitted().size());
    }

    @Test
    void mostFreeStillFavoursTheChildWithTheMostRoom() {
        FakePlatform local = FakePlatform.withSlots(8).startingOnly();
        FakePlatform remote = FakePlatform.withSlots(6).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(local).add(remote)
                .policy(DispatchPolicy.named("most-free").orElseThrow()).build());
        for (int i = 0; i < 8; i++) {
            h.submit(spec(i));
        }
        assertThat(local.live()).hasSize(5);
        assertThat(remote.live()).hasSize(3);
    }

    @Test
    void aChildStillStartingDelaysNeitherTheStartNorTheOthersTrials() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FakePlatform fast = FakePlatform.withSlots(2).startingOnly();
        FakePlatform slowInside = FakePlatform.withSlots(2).startingOnly();
        TrainingPlatform slow = new TrainingPlatform() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void start(TrialEventSink s) {
                try {
                    release.await(); // a child connecting to a host that does not answer yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                slowInside.start(s);
            }

            @Override
            public void submit(TrialSpec spec) {
                slowInside.submit(spec);
            }

            @Override
            public void cancel(TrialId trial) {
                slowInside.cancel(trial);
            }

            @Override
            public int freeSlots() {
                return slowInside.freeSlots();
            }

            @Override
            public void close() {
                slowInside.close();
            }
        };
        HybridPlatform h = started(HybridPlatform.of(fast, slow));
        assertThat(h.freeSlots()).isEqualTo(2);
        h.submit(spec(0));
        assertThat(fast.submitted()).hasSize(1);
        release.countDown();
        slowInside.awaitSubmitted(0, WAIT);
    }

    @Test
    void aTrialLostAfterReportingItsFinalResultIsNotRunAgain() {
        FakePlatform a = FakePlatform.withSlots(1).startingOnly();
        FakePlatform b = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(a, b));
        h.submit(spec(0));
        FakePlatform first = a.submitted().isEmpty() ? b : a;
        first.reportFinal(TrialId.of("t0"), 0.5);
        first.end(TrialId.of("t0"), TrialStatus.SYS_CANCELED);
        assertThat(sink.awaitEnded(TrialId.of("t0"), WAIT).status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(a.submitted().size() + b.submitted().size()).isEqualTo(1);
    }

    @Test
    void whatALostAttemptReportsAfterItsRerunWasPlacedIsIgnored() throws Exception {
        FakePlatform a = FakePlatform.withSlots(1).startingOnly();
        FakePlatform b = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(a, b));
        h.submit(spec(0));
        FakePlatform first = a.submitted().isEmpty() ? b : a;
        FakePlatform other = first == a ? b : a;
        TrialId t0 = TrialId.of("t0");
        first.emit(first.started(t0));
        first.end(t0, TrialStatus.SYS_CANCELED);
        other.awaitSubmitted(1, WAIT);
        first.emit(first.metric(t0, dev.hybrid.trial.MetricType.PERIODICAL, 5, "\"late\""));
        other.emit(other.started(t0));
        other.emit(other.metric(t0, dev.hybrid.trial.MetricType.PERIODICAL, 0, "\"rerun\""));
        assertThat(sink.eventsOf(t0)).filteredOn(TrialEvent.MetricReported.class::isInstance)
                .extracting(e -> ((TrialEvent.MetricReported) e).metric().value()).containsExactly("\"rerun\"");
        assertThat(h.platformOf(t0)).contains(other == a ? "fake" : "fake#2");
    }

    @Test
    void aResumedTrialMayRunAgainOnlyWhenTheChildItRanOnSaysSoAndNoChildIsLeftThatCouldHoldIt() {
        java.util.concurrent.atomic.AtomicBoolean remoteReached = new java.util.concurrent.atomic.AtomicBoolean();
        FakePlatform inner = FakePlatform.withSlots(1).startingOnly();
        TrainingPlatform remote = new ResumableFake(inner, remoteReached);
        HybridPlatform h = started(HybridPlatform.of(FakePlatform.withSlots(1).startingOnly(), remote));
        assertThat(h.childNames()).containsExactly("fake", "resumable");
        assertThat(h.mayRunAgain(TrialId.of("t0"), "fake")).isTrue();
        assertThat(h.mayRunAgain(TrialId.of("t0"), "resumable")).isFalse();
        assertThat(h.mayRunAgain(TrialId.of("t0"), "hybrid")).as("recorded before it was placed").isFalse();
        remoteReached.set(true);
        assertThat(h.mayRunAgain(TrialId.of("t0"), "resumable")).isTrue();
        assertThat(h.mayRunAgain(TrialId.of("t0"), "hybrid")).isTrue();
    }

    @Test
    void theHybridPlatformIsUnavailableOnlyWhenEveryChildIs() {
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        FakePlatform failing = FakePlatform.withSlots(1).failStart(new PlatformException("fake", "down", true, null));
        HybridPlatform h = started(HybridPlatform.of(failing,
                new ResumableFake(FakePlatform.withSlots(1).startingOnly(), new java.util.concurrent.atomic.AtomicBoolean(),
                        lost)));
        assertThat(h.unavailableReason()).isEmpty();
        lost.set(true);
        assertThat(h.unavailableReason()).hasValueSatisfying(why -> assertThat(why)
                .contains("no platform can run a trial").contains("fake: down").contains("resumable: all lost"));
    }

    /** A child that can tell whether a resumed trial may run again, and whether it has given up. */
    private static final class ResumableFake implements TrainingPlatform, TrialResumption, PlatformAvailability {
        private final FakePlatform inner;
        private final java.util.concurrent.atomic.AtomicBoolean reached;
        private final java.util.concurrent.atomic.AtomicBoolean lost;

        ResumableFake(FakePlatform inner, java.util.concurrent.atomic.AtomicBoolean reached) {
            this(inner, reached, new java.util.concurrent.atomic.AtomicBoolean());
        }

        ResumableFake(FakePlatform inner, java.util.concurrent.atomic.AtomicBoolean reached,
                java.util.concurrent.atomic.AtomicBoolean lost) {
            this.inner = inner;
            this.reached = reached;
            this.lost = lost;
        }

        @Override
        public boolean mayRunAgain(TrialId trial, String platform) {
            return reached.get();
        }

        @Override
        public java.util.Optional<String> unavailableReason() {
            return lost.get() ? java.util.Optional.of("all lost") : java.util.Optional.empty();
        }

        @Override
        public String name() {
            return "resumable";
        }

        @Override
        public void start(TrialEventSink s) {
            inner.start(s);
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

    @Test
    void aMaxTrialConcurrencyCapsAChild() {
        FakePlatform a = FakePlatform.withSlots(10).startingOnly();
        FakePlatform b = FakePlatform.withSlots(10).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(a, OptionalInt.of(1), 1).add(b).build());
        assertThat(h.freeSlots()).isEqualTo(11);
        for (int i = 0; i < 11; i++) {
            h.submit(spec(i));
        }
        assertThat(a.submitted()).hasSize(1);
        assertThat(b.submitted()).hasSize(10);
    }

    @Test
    void aChildThatRefusesATrialIsLeftOutAndTheTrialGoesElsewhere() {
        FakePlatform broken = FakePlatform.withSlots(4).startingOnly()
                .failNextSubmit(new PlatformException("fake", "connection lost", true, null));
        FakePlatform healthy = FakePlatform.withSlots(4).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(broken).add(healthy)
                .policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        assertThat(healthy.submitted()).extracting(TrialSpec::id).containsExactly(TrialId.of("t0"));
        // The broken child is unhealthy for a while: its slots do not count and it gets no trial.
        assertThat(h.freeSlots()).isEqualTo(3);
        h.submit(spec(1));
        assertThat(broken.submitted()).isEmpty();
    }

    @Test
    void aChildThatCannotStartIsLeftOutUnlessAllFail() {
        FakePlatform dead = FakePlatform.withSlots(4)
                .failStart(new PlatformException("fake", "all machines unreachable", true, null));
        FakePlatform ok = FakePlatform.withSlots(2).startingOnly();
        HybridPlatform h = started(HybridPlatform.of(dead, ok));
        assertThat(h.freeSlots()).isEqualTo(2);
        h.submit(spec(0));
        assertThat(ok.submitted()).hasSize(1);

        HybridPlatform allDead = HybridPlatform.of(FakePlatform.withSlots(1)
                .failStart(new PlatformException("fake", "down", true, null)));
        platforms.add(allDead);
        assertThatThrownBy(() -> allDead.start(new RecordingSink())).isInstanceOf(PlatformException.class)
                .hasMessageContaining("every platform failed to start").hasMessageContaining("down");
    }

    @Test
    void aTrialLostWithItsMachineIsResubmittedOnceElsewhere() throws Exception {
        FakePlatform flaky = FakePlatform.withSlots(1).startingOnly();
        FakePlatform steady = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(flaky).add(steady)
                .policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        assertThat(flaky.submitted()).hasSize(1);
        sink.awaitEvent(e -> e instanceof TrialEvent.Started, WAIT);

        flaky.end(TrialId.of("t0"), TrialStatus.SYS_CANCELED);

        steady.awaitSubmitted(1, WAIT);
        assertThat(steady.submitted()).extracting(TrialSpec::id).containsExactly(TrialId.of("t0"));
        assertThat(h.platformOf(TrialId.of("t0"))).contains("fake#2");
        steady.end(TrialId.of("t0"), TrialStatus.SUCCEEDED);
        TrialEvent.Ended end = (TrialEvent.Ended) sink.awaitEvent(e -> e instanceof TrialEvent.Ended, WAIT);
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void aLostTrialWhoseOtherPlatformsAreFullWaitsForTheirNextFreeSlotAndKeepsIt() throws Exception {
        FakePlatform flaky = FakePlatform.withSlots(1).startingOnly();
        FakePlatform steady = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(flaky).add(steady)
                .policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        h.submit(spec(1));
        assertThat(steady.submitted()).extracting(TrialSpec::id).containsExactly(TrialId.of("t1"));

        flaky.end(TrialId.of("t0"), TrialStatus.SYS_CANCELED);
        // The lost trial waits: the slot t1 frees is kept for it, not offered to a new trial.
        steady.end(TrialId.of("t1"), TrialStatus.SUCCEEDED);
        steady.awaitSubmitted(2, WAIT);
        assertThat(steady.submitted()).extracting(TrialSpec::id).containsExactly(TrialId.of("t1"), TrialId.of("t0"));
        assertThat(h.platformOf(TrialId.of("t0"))).contains("fake#2");
        steady.end(TrialId.of("t0"), TrialStatus.SUCCEEDED);
        TrialEvent.Ended end = (TrialEvent.Ended) sink.awaitEvent(
                e -> e instanceof TrialEvent.Ended x && x.trial().equals(TrialId.of("t0")), WAIT);
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(sink.events()).filteredOn(e -> e instanceof TrialEvent.Ended x && x.trial().equals(TrialId.of("t0")))
                .hasSize(1);
    }

    @Test
    void aLostTrialWaitingForASlotIsCancelledAtOnce() throws Exception {
        FakePlatform flaky = FakePlatform.withSlots(1).startingOnly();
        FakePlatform steady = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(flaky).add(steady)
                .policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        h.submit(spec(1));
        flaky.end(TrialId.of("t0"), TrialStatus.SYS_CANCELED);
        // Once the resubmission has found every other slot taken, the lost trial is placed nowhere: it waits.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (h.platformOf(TrialId.of("t0")).isPresent()) {
            assertThat(System.nanoTime()).as("the lost trial waits for a slot").isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(h.freeSlots()).isZero();

        h.cancel(TrialId.of("t0"));

        TrialEvent.Ended end = (TrialEvent.Ended) sink.awaitEvent(
                e -> e instanceof TrialEvent.Ended x && x.trial().equals(TrialId.of("t0")), WAIT);
        assertThat(end.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(end.message()).contains("waiting to run again");
        steady.end(TrialId.of("t1"), TrialStatus.SUCCEEDED);
        sink.awaitEvent(e -> e instanceof TrialEvent.Ended x && x.trial().equals(TrialId.of("t1")), WAIT);
        assertThat(steady.submitted()).extracting(TrialSpec::id).containsExactly(TrialId.of("t1"));
    }

    @Test
    void cancelGoesToTheChildRunningTheTrial() {
        FakePlatform a = FakePlatform.withSlots(1).startingOnly();
        FakePlatform b = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(a).add(b).policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        h.submit(spec(1));
        h.cancel(TrialId.of("t1"));
        h.cancel(TrialId.of("nope"));
        assertThat(a.cancelled()).isEmpty();
        assertThat(b.cancelled()).containsExactly(TrialId.of("t1"));
    }

    @Test
    void twoChildrenOfOneKindAreRecordedByTheirOwnNames() {
        FakePlatform a = FakePlatform.withSlots(1).startingOnly();
        FakePlatform b = FakePlatform.withSlots(1).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(a).add(b).policy(DispatchPolicy.roundRobin()).build());
        h.submit(spec(0));
        h.submit(spec(1));

        assertThat(h.platformOf(TrialId.of("t0"))).contains("fake");
        assertThat(h.platformOf(TrialId.of("t1"))).contains("fake#2");
    }

    /** A child whose every trial fails at once, as with a broken Python environment on one machine. */
    private static FakePlatform failingFast(FakeClock clock, int slots) {
        return FakePlatform.withSlots(slots, clock).onSubmit(s -> List.of(new TrialEvent.Started(s.id(), clock.instant()),
                new TrialEvent.Ended(s.id(), TrialStatus.FAILED, java.util.Optional.of(127),
                        "exit code 127: python3: command not found", clock.instant())));
    }

    @Test
    void aChildWhoseTrialsFailFastWhileAnotherWorksIsQuarantinedThenProbed() {
        FakeClock clock = new FakeClock();
        FakePlatform broken = failingFast(clock, 8);
        FakePlatform good = FakePlatform.withSlots(4, clock).startingOnly();
        HybridPlatform h = started(HybridPlatform.builder().add(broken).add(good).clock(clock).build());

        for (int i = 0; i < 7; i++) {
            h.submit(spec(i));
        }
        // Most-free dispatch alone would give the broken child every trial: its failures free its slots at once.
        assertThat(broken.submitted()).hasSize(3);
        assertThat(good.submitted()).hasSize(4);
        assertThat(h.freeSlots()).isZero();

        clock.advance(Duration.ofSeconds(31));
        assertThat(h.freeSlots()).as("one probe trial").isEqualTo(1);
        h.submit(spec(7));
        assertThat(broken.submitted()).extracting(TrialSpec::id).endsWith(TrialId.of("t7"));
        // The probe failed fast too: a longer quarantine (60 s) follows.
        assertThat(h.freeSlots()).isZero();
        good.end(TrialId.of("t3"), TrialStatus.SUCCEEDED);
        h.submit(spec(8));
        assertThat(good.submitted()).extracting(TrialSpec::id).endsWith(TrialId.of("t8"));
        clock.advance(Duration.ofSeconds(31));
        assertThat(h.freeSlots()).isZero();

        clock.advance(Duration.ofSeconds(30));
        broken.startingOnly();
        h.submit(spec(9));
        assertThat(broken.submitted()).extracting(TrialSpec::id).endsWith(TrialId.of("t9"));
        clock.advance(Duration.ofSeconds(20));
        broken.end(TrialId.of("t9"), TrialStatus.SUCCEEDED);
        // Healed: all its slots count again.
        assertThat(h.freeSlots()).isEqualTo(8);
        h.submit(spec(10));
        assertThat(broken.submitted()).extracting(TrialSpec::id).endsWith(TrialId.of("t10"));
    }

    @Test
    void whenEveryChildFailsFastNoneIsQuarantined() {
        FakeClock clock = new FakeClock();
        FakePlatform a = failingFast(clock, 4);
        FakePlatform b = failingFast(clock, 4);
        HybridPlatform h = started(HybridPlatform.builder().add(a).add(b).clock(clock).build());

        for (int i = 0; i < 20; i++) {
            h.submit(spec(i));
        }

        assertThat(a.submitted().size() + b.submitted().size()).isEqualTo(20);
        assertThat(h.freeSlots()).isEqualTo(8);
    }
}
