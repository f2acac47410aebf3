package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;

/**
 * NNI tuner names that Hybrid knows but does not implement, each refused with the reason and the closest tuner it
 * has, reported at the tuner's section ({@code tuner}): {@code Metis}/{@code MetisTuner} and
 * {@code DNGO}/{@code DNGOTuner}. A name registered here is better than an "unknown tuner" error, which would suggest
 * a typo.
 */
public abstract class RefusedTunerProvider implements TunerProvider {
    private final String name;
    private final String reason;

    private RefusedTunerProvider(String name, String reason) {
        this.name = name;
        this.reason = reason;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Records the refusal as a problem; the tuner returned is a placeholder that the caller never runs. */
    @Override
    public final Tuner create(ConfigNode classArgs, TunerContext context) {
        String at = classArgs.path().value();
        FieldPath section = at.endsWith(".classArgs")
                ? FieldPath.of(at.substring(0, at.length() - ".classArgs".length())) : classArgs.path();
        classArgs.problems().add(section, name + " is not available; GPTuner is the closest: " + reason);
        return new RandomTuner(context.random());
    }

    private static final String METIS = "Metis (a GP with GMM-based exploration and outlier resampling) is not "
            + "implemented, as there is no reference run here to check an implementation against; GPTuner is the "
            + "same Gaussian-process model, with a properly optimised acquisition function";
    private static final String DNGO = "DNGO (Bayesian linear regression on a trained neural network's features) is "
            + "not implemented, as it needs a neural-network trainer this library does not ship and there is no "
            + "reference run here to match; GPTuner is a Bayesian model of the same kind";

    /** NNI's {@code Metis}. */
    public static final class Metis extends RefusedTunerProvider {
        public Metis() {
            super("Metis", METIS);
        }
    }

    /** NNI's {@code MetisTuner} (the v2.0 name of {@code Metis}). */
    public static final class MetisTuner extends RefusedTunerProvider {
        public MetisTuner() {
            super("MetisTuner", METIS);
        }
    }

    /** NNI's {@code DNGO}. */
    public static final class Dngo extends RefusedTunerProvider {
        public Dngo() {
            super("DNGO", DNGO);
        }
    }

    /** NNI's {@code DNGOTuner} (the v2.3 name of {@code DNGO}). */
    public static final class DngoTuner extends RefusedTunerProvider {
        public DngoTuner() {
            super("DNGOTuner", DNGO);
        }
    }
}
