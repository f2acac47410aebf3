package dev.hybrid.tuner;

import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What a tuner may use besides its arguments: a seeded random generator. The same seed gives the same generator
 * sequence, so a tuner built from equal contexts and fed equal results proposes the same trials.
 *
 * @param seed the seed the experiment chose (the tuner's {@code seed} classArg, when given, takes precedence)
 */
public record TunerContext(long seed) {

    /** A context with a fixed seed. */
    public static TunerContext seeded(long seed) {
        return new TunerContext(seed);
    }

    /** A new random generator seeded with {@code seed}, or with this context's seed when empty. */
    public RandomGenerator random(Optional<Long> seed) {
        Objects.requireNonNull(seed, "seed");
        return new java.util.SplittableRandom(seed.orElse(this.seed));
    }

    /** A new random generator seeded with this context's seed. */
    public RandomGenerator random() {
        return new java.util.SplittableRandom(seed);
    }
}
