package dev.hybrid.tuner;

import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * What a tuner may use besides its arguments: a seeded random generator. The same seed and stream give the same
 * generator sequence, so a tuner built from equal contexts and fed equal results proposes the same trials.
 *
 * <p>A new experiment's tuner draws from stream 0. A resumed experiment's tuner draws from a later stream, one per
 * run, derived from the same seed: its proposals are reproducible, yet independent of every earlier run's, whether
 * the seed is the experiment's or the tuner's own {@code seed} classArg.
 *
 * @param seed the seed the experiment chose (the tuner's {@code seed} classArg, when given, takes precedence)
 * @param stream which run of the experiment the tuner serves: 0 for the first, a larger number for each resume
 */
public record TunerContext(long seed, long stream) {

    /** Checks that the stream is not negative. */
    public TunerContext {
        if (stream < 0) {
            throw new IllegalArgumentException("stream must be >= 0, was " + stream);
        }
    }

    /** A context with this seed, for a new experiment's tuner (stream 0). */
    public TunerContext(long seed) {
        this(seed, 0);
    }

    /** A context with a fixed seed, for a new experiment's tuner (stream 0). */
    public static TunerContext seeded(long seed) {
        return new TunerContext(seed);
    }

    /**
     * A new random generator for this context's stream, seeded with {@code seed}, or with this context's seed when
     * empty.
     */
    public RandomGenerator random(Optional<Long> seed) {
        Objects.requireNonNull(seed, "seed");
        return generator(seed.orElse(this.seed), stream);
    }

    /** A new random generator for this context's stream, seeded with this context's seed. */
    public RandomGenerator random() {
        return generator(seed, stream);
    }

    /**
     * Stream 0 is {@code new SplittableRandom(seed)}; stream n is the n-th generator split off it. A split takes a
     * new seed and a new gamma (the increment of SplittableRandom's state), so its values are not the first
     * stream's shifted by a few places, as those of {@code new SplittableRandom(seed + k * gamma)} would be.
     */
    private static RandomGenerator generator(long seed, long stream) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom chosen = root;
        for (long i = 0; i < stream; i++) {
            chosen = root.split();
        }
        return chosen;
    }
}
