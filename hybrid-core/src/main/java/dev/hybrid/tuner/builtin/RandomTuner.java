package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.LogNormal;
import dev.hybrid.space.LogUniform;
import dev.hybrid.space.Normal;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.QLogNormal;
import dev.hybrid.space.QLogUniform;
import dev.hybrid.space.QNormal;
import dev.hybrid.space.QUniform;
import dev.hybrid.space.RandInt;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * NNI's {@code Random} tuner: every trial's parameters drawn independently from the search space, ignoring results.
 * Samples with NNI's semantics: {@code randint} uniform over {@code [lower, upper)}; {@code choice} uniform over its
 * options, a nested branch bringing its own sub-parameters; the log types {@code exp} of a uniform or normal draw in
 * log space; the q-types rounded half to even, and {@code quniform}/{@code qloguniform} clipped to their bounds.
 * Supports every spec. Like NNI's, it does not avoid repeats, so on a finite space it keeps proposing.
 *
 * <p>Called only from the experiment thread; not thread-safe. The sequence depends only on the random generator.
 */
public final class RandomTuner implements Tuner {
    private final RandomGenerator random;
    private SearchSpace space;

    /** A tuner drawing from {@code random}, which it owns from now on. */
    public RandomTuner(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public void updateSearchSpace(SearchSpace space) {
        this.space = Objects.requireNonNull(space, "space");
    }

    /**
     * Draws a new parameter set.
     *
     * @throws IllegalStateException before the first {@link #updateSearchSpace}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        if (space == null) {
            throw new IllegalStateException("suggest before updateSearchSpace");
        }
        return new Suggestion.Next(new Parameters(sample(space)));
    }

    /** A new parameter set, for advisors that draw their configurations at random. */
    Parameters draw() {
        if (space == null) {
            throw new IllegalStateException("draw before updateSearchSpace");
        }
        return new Parameters(sample(space));
    }

    /** Ignored: random search does not learn. */
    @Override
    public void onResult(TrialId trial, Parameters parameters, double value) {
    }

    private Map<String, Object> sample(SearchSpace s) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterSpec p : s.parameters()) {
            out.put(p.name(), sample(p));
        }
        return out;
    }

    private Object sample(ParameterSpec p) {
        if (p instanceof Choice c) {
            ChoiceOption o = c.options().get(random.nextInt(c.size()));
            if (o instanceof ChoiceOption.Nested n) {
                Map<String, Object> branch = new LinkedHashMap<>();
                branch.put("_name", n.name());
                branch.putAll(sample(n.space()));
                return branch;
            }
            return ((ChoiceOption.Value) o).value();
        }
        if (p instanceof RandInt r) {
            return integer(random.nextLong(r.lower(), r.upper()));
        }
        if (p instanceof Uniform u) {
            return uniform(u.low(), u.high());
        }
        if (p instanceof QUniform u) {
            return u.quantize(uniform(u.low(), u.high()));
        }
        if (p instanceof LogUniform u) {
            return logUniform(u.low(), u.high());
        }
        if (p instanceof QLogUniform u) {
            return u.quantize(logUniform(u.low(), u.high()));
        }
        if (p instanceof Normal n) {
            return n.mu() + n.sigma() * random.nextGaussian();
        }
        if (p instanceof QNormal n) {
            return n.quantize(n.mu() + n.sigma() * random.nextGaussian());
        }
        if (p instanceof LogNormal n) {
            return Math.exp(n.mu() + n.sigma() * random.nextGaussian());
        }
        if (p instanceof QLogNormal n) {
            return n.quantize(Math.exp(n.mu() + n.sigma() * random.nextGaussian()));
        }
        throw new IllegalStateException("unknown spec " + p);
    }

    /** An {@code Integer} where it fits, as a JSON parser reads the value back; a {@code Long} otherwise. */
    private static Object integer(long x) {
        return x == (int) x ? (Object) (int) x : (Object) x;
    }

    private double uniform(double low, double high) {
        return Math.min(high, low + random.nextDouble() * (high - low));
    }

    private double logUniform(double low, double high) {
        // exp(log x) can land an ulp outside [low, high]; NNI's own bounds hold exactly.
        return Math.min(high, Math.max(low, Math.exp(uniform(Math.log(low), Math.log(high)))));
    }
}
