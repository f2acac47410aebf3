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
