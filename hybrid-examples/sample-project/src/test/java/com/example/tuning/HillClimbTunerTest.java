package com.example.tuning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.tuner.OptimizeMode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The tuner in an experiment with in-process trials, minimising a parabola. */
class HillClimbTunerTest {
    @Test
    void itClimbsTowardsTheMinimumTheExperimentAsksFor() throws Exception {
        SearchSpace space = SearchSpace.of(new Uniform("x", -5, 5));
        try (Experiment experiment = Experiment.builder()
                .searchSpace(space)
                .tuner(new HillClimbTuner())
                .optimizeMode(OptimizeMode.MINIMIZE)
                .seed(42)
                .maxTrialNumber(60)
                .trialFunction((params, reporter) -> {
                    double x = params.getDouble("x");
                    reporter.reportFinal((x - 1.5) * (x - 1.5));
                })
                .build()) {
            ExperimentHandle run = experiment.start();
            assertThat(run.awaitCompletion(Duration.ofMinutes(1))).isTrue();

            double bestX = run.bestTrial().orElseThrow().parameters().getDouble("x");
            double firstX = run.trials().get(0).parameters().getDouble("x");
            assertThat(Math.abs(bestX - 1.5)).isLessThan(0.25).isLessThanOrEqualTo(Math.abs(firstX - 1.5));
        }
    }
}
