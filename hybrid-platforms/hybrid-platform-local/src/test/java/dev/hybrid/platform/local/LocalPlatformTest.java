package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalPlatformTest {
    @TempDir
    Path dir;

    private final LinkedBlockingQueue<TrialEvent> events = new LinkedBlockingQueue<>();
    private final List<TrialEvent> seen = new ArrayList<>();
    private LocalPlatform platform;

    @BeforeEach
    void writeScript() throws Exception {
        Files.createDirectories(dir.resolve("code"));
        Files.writeString(dir.resolve("code/trial.sh"), LocalTrialScripts.SCENARIOS);
        platform = LocalPlatform.create(LocalPlatformOptions.of("exp1", dir.resolve("exp"), "sh trial.sh",
                dir.resolve("code"), 2).withCancelGracePeriod(Duration.ofSeconds(2)));
        platform.start(events::add);
    }

    @AfterEach
    void close() {
        platform.close();
    }

    private TrialEvent next() throws InterruptedException {
        TrialEvent e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("an event within 20 s; seen so far: %s", seen).isNotNull();
        seen.add(e);
        return e;
    }

    private TrialEvent.Ended awaitEnd(TrialId id) throws InterruptedException {
        while (true) {
            if (next() instanceof TrialEvent.Ended end && end.trial().equals(id)) {
                return end;
            }
        }
    }

    private static TrialSpec spec(String id, String scenario) {
        return new TrialSpec(TrialId.of(id), 0, 1, new Parameters(Map.of("scenario", scenario)));
    }

    @Test
    void aSucceedingTrialReportsStartedMetricsInOrderAndSucceeded() throws Exception {
        platform.submit(spec("ok1", "succeed"));
        assertThat(next()).isInstanceOf(TrialEvent.Started.class);
        TrialEvent.Ended end = awaitEnd(TrialId.of("ok1"));
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(end.exitCode()).contains(0);
        List<String> values = seen.stream().filter(e -> e instanceof TrialEvent.MetricReported)
                .map(e -> ((TrialEvent.MetricReported) e).metric().value()).toList();
        assertThat(values).containsExactly("1", "2", "3", "4");
        Path sys = dir.resolve("exp/trials/ok1");
        assertThat(Files.readString(sys.resolve("parameter.cfg"))).contains("\"parameters\":{\"scenario\":\"succeed\"}");
        assertThat(Files.readString(sys.resolve(".nni/state"))).matches("0 \\d+\\n");
        assertThat(Files.readString(sys.resolve("stdout"))).contains("hello from ok1");
    }

    @Test
    void aFailingTrialReportsItsExitCodeAndStderr() throws Exception {
        platform.submit(spec("bad1", "fail"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("bad1"));
        assertThat(end.status()).isEqualTo(TrialStatus.FAILED);
        assertThat(end.exitCode()).contains(3);
        assertThat(end.message()).contains("exit code 3").contains("something went wrong");
    }

    @Test
    void stdoutMetricLinesGarbageFramesAndMetricsWrittenJustBeforeExitAllArrive() throws Exception {
        platform.submit(spec("mix1", "mixed"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("mix1"));
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<String> values = seen.stream().filter(e -> e instanceof TrialEvent.MetricReported)
                .map(e -> ((TrialEvent.MetricReported) e).metric().value()).toList();
        assertThat(values).containsExactlyInAnyOrder("10", "11", "0.5");
    }

    private List<dev.hybrid.trial.Metric> metricsOf(TrialId id) {
        return seen.stream().filter(e -> e instanceof TrialEvent.MetricReported m && m.trial().equals(id))
                .map(e -> ((TrialEvent.MetricReported) e).metric()).toList();
    }

    @Test
    void aFinalResultPrintedAfterABurstOfFortyEightMegabytesArrives() throws Exception {
        platform.submit(spec("burst1", "burst"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("burst1"));
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(Files.size(dir.resolve("exp/trials/burst1/stdout"))).isGreaterThan(48_000_000L);
        assertThat(metricsOf(TrialId.of("burst1"))).extracting(dev.hybrid.trial.Metric::value).containsExactly("0.75");
    }

    @Test
    void aFinalResultPrintedAfterASeventeenMegabyteLineArrives() throws Exception {
        platform.submit(spec("long1", "longline"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("long1"));
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(metricsOf(TrialId.of("long1"))).extracting(dev.hybrid.trial.Metric::value).containsExactly("0.5");
    }

    @Test
    void twoHundredThousandFramesWrittenAtFullSpeedAllArriveInOrder() throws Exception {
        platform.submit(spec("many1", "frames"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("many1"));
        assertThat(end.status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<dev.hybrid.trial.Metric> metrics = metricsOf(TrialId.of("many1"));
        assertThat(metrics).hasSize(200_001);
        for (int i = 0; i < 200_000; i++) {
            dev.hybrid.trial.Metric m = metrics.get(i);
            if (m.sequence() != i || !m.value().equals(String.valueOf(i))) {
                throw new AssertionError("intermediate #" + i + " is " + m);
            }
        }
        assertThat(metrics.get(200_000).type()).isEqualTo(dev.hybrid.trial.MetricType.FINAL);
        assertThat(metrics.get(200_000).value()).isEqualTo("0.25");
    }

    @Test
    void cancellingATrialThatForkedChildrenLeavesNoProcess() throws Exception {
        platform.submit(spec("hang1", "block"));
        assertThat(next()).isInstanceOf(TrialEvent.Started.class);
        Path pidFile = dir.resolve("exp/trials/hang1/child.pid");
        // The script writes its child's pid, then reports one metric: wait for that metric, not for time.
        assertThat(next()).isInstanceOf(TrialEvent.MetricReported.class);
        long child = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(ProcessHandle.of(child)).isPresent();

        platform.cancel(TrialId.of("hang1"));
        TrialEvent.Ended end = awaitEnd(TrialId.of("hang1"));
        assertThat(end.status()).isEqualTo(TrialStatus.USER_CANCELED);
        ProcessHandle.of(child).ifPresent(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).join());
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        platform.cancel(TrialId.of("hang1"));
        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void slotsAreLimitedAndClosedPlatformsRefuseTrials() throws Exception {
        assertThat(platform.freeSlots()).isEqualTo(2);
        platform.submit(spec("h1", "block"));
        platform.submit(spec("h2", "block"));
        assertThat(platform.freeSlots()).isZero();
        assertThatThrownBy(() -> platform.submit(spec("h3", "block"))).isInstanceOf(PlatformException.class)
                .hasMessageContaining("no free slot");
        platform.close();
        platform.close();
        assertThatThrownBy(() -> platform.submit(spec("h4", "succeed"))).isInstanceOf(IllegalStateException.class);
        events.clear();
        assertThat(events.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
}
