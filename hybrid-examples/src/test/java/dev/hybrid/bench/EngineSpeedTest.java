package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EngineSpeedTest {

    @Test
    void aShortRunRecordsEveryTrialAndReportsARate() throws Exception {
        EngineSpeed.Run run = EngineSpeed.run(EngineSpeed.minimalTuner(3), 4, 2_000);

        assertThat(run.trials()).isEqualTo(2_000);
        assertThat(run.trialsPerSecond()).isPositive();
        assertThat(run.elapsed()).isPositive();
    }
}
