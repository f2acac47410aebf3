package dev.hybrid.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InProcessPlatformTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aTrialThrowingAnErrorEndsFailedWithTheCauseAndFreesItsSlot() {
        try (InProcessPlatform platform = InProcessPlatform.create((p, r) -> {
            if (p.getInt("i") == 0) {
                throw new Error("plain error from trial zero");
            }
            throw new OutOfMemoryError("Java heap space (simulated)");
        }, 1)) {
            RecordingSink sink = new RecordingSink();
            platform.start(sink);

            TrialId first = TrialId.of("t0");
            platform.submit(new TrialSpec(first, 0, 0, new Parameters(Map.of("i", 0))));
            TrialEvent.Ended ended = sink.awaitEnded(first, WAIT);
            assertThat(ended.status()).isEqualTo(TrialStatus.FAILED);
            assertThat(ended.message()).contains("java.lang.Error", "plain error from trial zero");
            assertThat(platform.freeSlots()).isEqualTo(1);

            TrialId second = TrialId.of("t1");
            platform.submit(new TrialSpec(second, 1, 1, new Parameters(Map.of("i", 1))));
            assertThat(sink.awaitEnded(second, WAIT).message()).contains("OutOfMemoryError", "simulated");
        }
    }
}
