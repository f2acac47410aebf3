package dev.hybrid.tuner;

import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What a tuner may use besides its arguments: a seeded random generator, and the direction the experiment optimises.
 * The same seed gives the same generator sequence, so a tuner built from equal contexts and fed equal results
 * proposes the same trials.
 *
 * <p>A tuner built by name gets its context from its {@link TunerProvider}; every tuner, one passed as an object
 * included, gets the experiment's context in {@link Tuner#onStart} before its first {@code updateSearchSpace}.
 *
 * @param seed the seed the experiment chose (the tuner's {@code seed} classArg, when given, takes precedence)
 * @param optimizeMode whether the experiment ranks larger ({@code MAXIMIZE}) or smaller final values first
 */
public record TunerContext(long seed, OptimizeMode optimizeMode) {

    /** @throws NullPointerException if {@code optimizeMode} is null */
    public TunerContext {
        Objects.requireNonNull(optimizeMode, "optimizeMode");
    }

    /** A context with a fixed seed, for an experiment that maximises (NNI's default optimize mode). */
    public static TunerContext seeded(long seed) {
        return new TunerContext(seed, OptimizeMode.MAXIMIZE);
    }

    /** A context with a fixed seed and optimize mode. */
    public static TunerContext of(long seed, OptimizeMode optimizeMode) {
        return new TunerContext(seed, optimizeMode);
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
