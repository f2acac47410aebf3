package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.tuner.OptimizeMode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TunerFactoryTest {

    @Test
    void aTunerWithoutASeedKeyStillMinimisesTheBenchmarksObjectives() {
        // GPTuner takes optimize_mode but no seed: only the rejected seed is dropped
        assertThat(new TunerFactory("GPTuner", Map.of()).create(3).optimizeMode()).contains(OptimizeMode.MINIMIZE);
        assertThat(new TunerFactory("TPE", Map.of()).create(3).optimizeMode()).contains(OptimizeMode.MINIMIZE);
    }

    @Test
    void anExplicitOptimizeModeIsKept() {
        assertThat(new TunerFactory("GPTuner", Map.of("optimize_mode", "maximize")).create(3).optimizeMode())
                .contains(OptimizeMode.MAXIMIZE);
    }
}
