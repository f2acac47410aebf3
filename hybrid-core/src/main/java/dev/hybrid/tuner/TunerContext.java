package dev.hybrid.tuner;

import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * What a tuner may use besides its arguments: a seeded random generator, the direction the experiment optimises, and
 * the id of the experiment it serves.
 * The same seed and stream give the same generator sequence, so a tuner built from equal contexts and fed equal
 * results proposes the same trials.
 *
 * <p>A tuner built by name gets its context from its {@link TunerProvider}; every tuner, one passed as an object
 * included, gets the experiment's context in {@link Tuner#onStart} before its first {@code updateSearchSpace}.
 *
 * <p>A new experiment's tuner draws from stream 0. A resumed experiment's tuner draws from a later stream, one per
 * run, derived from the same seed: its proposals are reproducible, yet independent of every earlier run's, whether
 * the seed is the experiment's or the tuner's own {@code seed} classArg.
 *
 * @param seed the seed the experiment chose (the tuner's {@code seed} classArg, when given, takes precedence)
 * @param optimizeMode whether the experiment ranks larger ({@code MAXIMIZE}) or smaller final values first
 * @param stream which run of the experiment the tuner serves: 0 for the first, a larger number for each resume
 * @param experimentId the id of the experiment the tuner serves, the same in every run of it; empty for a tuner
 *     built outside an experiment (a benchmark, a config check). Tuners that name folders (PBT's checkpoints) key
 *     them by it, so that two experiments never share them, whatever their seeds.
 */
public record TunerContext(long seed, OptimizeMode optimizeMode, long stream, Optional<String> experimentId) {

    /**
     * @throws NullPointerException if {@code optimizeMode} or {@code experimentId} is null
     * @throws IllegalArgumentException if {@code stream} is negative or the experiment id is blank
     */
    public TunerContext {
        Objects.requireNonNull(optimizeMode, "optimizeMode");
        Objects.requireNonNull(experimentId, "experimentId");
        if (stream < 0) {
            throw new IllegalArgumentException("stream must be >= 0, was " + stream);
        }
        if (experimentId.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("experimentId must not be blank");
        }
    }

    /** A context for this run of an experiment not named (no experiment id). */
    public TunerContext(long seed, OptimizeMode optimizeMode, long stream) {
        this(seed, optimizeMode, stream, Optional.empty());
    }

    /** A context for a new experiment's tuner (stream 0). */
    public TunerContext(long seed, OptimizeMode optimizeMode) {
        this(seed, optimizeMode, 0);
    }

    /** A context for a run of an experiment that maximises (NNI's default optimize mode). */
    public TunerContext(long seed, long stream) {
        this(seed, OptimizeMode.MAXIMIZE, stream);
    }

    /** A context with this seed, for a new experiment's tuner that maximises (stream 0). */
    public TunerContext(long seed) {
        this(seed, OptimizeMode.MAXIMIZE, 0);
    }

    /** This context for another run of the experiment. */
    public TunerContext withStream(long stream) {
        return new TunerContext(seed, optimizeMode, stream, experimentId);
    }

    /**
     * This context for the experiment with this id.
     *
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public TunerContext withExperimentId(String id) {
        return new TunerContext(seed, optimizeMode, stream, Optional.of(Objects.requireNonNull(id, "id")));
    }

    /** A context with a fixed seed, for a new experiment's tuner that maximises (stream 0). */
    public static TunerContext seeded(long seed) {
        return new TunerContext(seed, OptimizeMode.MAXIMIZE);
    }

    /** A context with a fixed seed and optimize mode. */
    public static TunerContext of(long seed, OptimizeMode optimizeMode) {
        return new TunerContext(seed, optimizeMode);
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
