package dev.hybrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {
    private static final BenchProblem PROBLEM = new BenchProblem("line", Path.of("line"),
            SearchSpace.of(new Uniform("x", 0, 100)), 0.0);

    /** Proposes x = 0, 1, 2, ... and records how many trials were pending at each ask. */
    private static class CountingTuner implements Tuner {
        final Set<TrialId> pending = new LinkedHashSet<>();
        final List<Integer> pendingAtAsk = new ArrayList<>();
        final List<String> reported = new ArrayList<>();
        int asked;

        @Override
        public void updateSearchSpace(SearchSpace space) {
        }

        @Override
        public Suggestion suggest(TrialId trial) {
            pendingAtAsk.add(pending.size());
            pending.add(trial);
            return new Suggestion.Next(new Parameters(Map.of("x", (double) asked++)));
        }

        @Override
        public void onResult(TrialId trial, Parameters parameters, double value) {
            reported.add(trial.value());
        }

        @Override
        public void onTrialEnd(TrialId trial, TrialStatus status) {
            pending.remove(trial);
        }
    }

    @Test
    void parallelVariantKeepsFourPendingAndReportsTheOldestFirst() {
        CountingTuner tuner = new CountingTuner();
        Trace trace = BenchRunner.run(PROBLEM, tuner, p -> p.getDouble("x"), 10, 4);
        assertThat(tuner.asked).isEqualTo(10);
        assertThat(tuner.pendingAtAsk).containsExactly(0, 1, 2, 3, 3, 3, 3, 3, 3, 3);
        assertThat(tuner.reported).containsExactly("trial-0", "trial-1", "trial-2", "trial-3", "trial-4",
                "trial-5", "trial-6", "trial-7", "trial-8", "trial-9");
        assertThat(trace.size()).isEqualTo(10);
        for (int t = 0; t < 10; t++) {
            assertThat(trace.value(t)).isEqualTo(t);
        }
    }

    @Test
    void sequentialVariantAsksOneAtATime() {
        CountingTuner tuner = new CountingTuner();
        BenchRunner.run(PROBLEM, tuner, p -> 1.0, 5, 1);
        assertThat(tuner.pendingAtAsk).containsExactly(0, 0, 0, 0, 0);
    }

    @Test
    void aTunerThatIsDoneEndsTheRunEarly() {
        Tuner done = new CountingTuner() {
            @Override
            public Suggestion suggest(TrialId trial) {
                return asked >= 3 ? new Suggestion.Done() : super.suggest(trial);
            }
        };
        assertThat(BenchRunner.run(PROBLEM, done, p -> 1.0, 10, 2).size()).isEqualTo(3);
    }

    @Test
    void laterWithNothingPendingIsAnError() {
        Tuner stuck = new CountingTuner() {
            @Override
            public Suggestion suggest(TrialId trial) {
                return new Suggestion.Later();
            }
        };
        assertThatThrownBy(() -> BenchRunner.run(PROBLEM, stuck, p -> 1.0, 10, 1))
                .isInstanceOf(BenchException.class).hasMessageContaining("Later");
    }
}
