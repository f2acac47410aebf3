package dev.hybrid.tuner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class TunerContextTest {

    private static long[] draws(RandomGenerator random, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = random.nextLong();
        }
        return out;
    }

    @Test
    void theSameSeedAndStreamGiveTheSameSequence() {
        assertThat(draws(new TunerContext(3, 2).random(), 50)).isEqualTo(draws(new TunerContext(3, 2).random(), 50));
        assertThat(draws(TunerContext.seeded(3).random(), 50))
                .isEqualTo(draws(new java.util.SplittableRandom(3), 50));
    }

    @Test
    void streamsOfOneSeedShareNoValueEvenShifted() {
        Set<Long> seen = new HashSet<>();
        int n = 10_000;
        for (long stream = 0; stream < 5; stream++) {
            for (long v : draws(new TunerContext(3, stream).random(), n)) {
                seen.add(v);
            }
            for (long v : draws(new TunerContext(99, stream).random(Optional.of(3L)), n)) {
                seen.add(v);
            }
        }
        // The classArg seed 3 on each stream equals the context seed 3 on it; apart from that, all distinct.
        assertThat(seen).hasSize(5 * n);
    }

    @Test
    void theExperimentIdIsKeptAcrossStreamsAndABlankOneIsRefused() {
        TunerContext c = TunerContext.seeded(5).withExperimentId("exp1").withStream(2);
        assertThat(c.experimentId()).contains("exp1");
        assertThat(c.stream()).isEqualTo(2);
        assertThat(TunerContext.seeded(5).experimentId()).isEmpty();
        assertThatThrownBy(() -> TunerContext.seeded(5).withExperimentId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("experimentId");
    }

    @Test
    void aNegativeStreamIsRefused() {
        assertThatThrownBy(() -> new TunerContext(1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stream");
    }
}
