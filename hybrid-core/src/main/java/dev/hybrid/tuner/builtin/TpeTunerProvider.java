package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.TpeTuner.ConstantLiar;
import dev.hybrid.tuner.builtin.TpeTuner.Settings;
import java.util.Locale;
import java.util.Optional;

/**
 * Creates the {@code TPE} tuner from NNI 2.6+ {@code classArgs}:
 * <pre>
 * optimize_mode: minimize          # or maximize; NNI's TPE defaults to minimize
 * seed: 42                         # optional; else the experiment's seed
 * tpe_args:
 *   constant_liar_type: none       # best | worst | mean | none (or null); default none
 *   n_startup_jobs: 10
 *   n_ei_candidates: 24
 *   linear_forgetting: 25
 *   prior_weight: 2.0
 *   gamma: 0.1                     # fraction of observations in the "good" set (NNI: gamma · sqrt(n))
 *   multivariate: true             # hybrid's addition: model each (sub-)space's parameters jointly
 * </pre>
 * Defaults differ from NNI's where the benchmark in {@code hybrid-examples/bench-results} showed better results (see
 * {@link TpeTuner}). Bad values and unknown keys are reported at their paths, e.g. {@code tuner.classArgs.tpe_args.gamma}.
 */
public final class TpeTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "TPE";
    }

    /** NNI's TPE minimises unless told otherwise. */
    @Override
    public OptimizeMode defaultOptimizeMode() {
        return OptimizeMode.MINIMIZE;
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        Settings d = Settings.defaults();
        // Without optimize_mode, the experiment's direction (which is MINIMIZE, NNI's TPE default, unless set).
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        Optional<Long> seed = args.optionalLong("seed");
        ConfigNode tpe = args.child("tpe_args");
        ConstantLiar liar = liar(tpe, d.liar());
        int startup = tpe.intIn("n_startup_jobs", d.startupTrials(), 0, 1_000_000);
        int candidates = tpe.intIn("n_ei_candidates", d.candidates(), 1, 1_000_000);
        int forgetting = tpe.intIn("linear_forgetting", d.linearForgetting(), 1, 1_000_000);
        double priorWeight = tpe.doubleIn("prior_weight", d.priorWeight(), 0.0, 1e12);
        if (priorWeight == 0.0) {
            tpe.problems().add(tpe.path().child("prior_weight"), "must be > 0, was 0");
            priorWeight = d.priorWeight();
        }
        double gamma = tpe.doubleIn("gamma", d.gamma(), 0.0, 1.0);
        if (gamma == 0.0) {
            tpe.problems().add(tpe.path().child("gamma"), "must be in (0, 1], was 0");
            gamma = d.gamma();
        }
        boolean multivariate = tpe.bool("multivariate", d.multivariate());
        tpe.rejectUnknownKeys();
        args.rejectUnknownKeys();
        Settings settings = new Settings(mode, liar, startup, candidates, forgetting, priorWeight, gamma,
                multivariate);
        return new TpeTuner(settings, context.random(seed));
    }

    private static ConstantLiar liar(ConfigNode tpe, ConstantLiar def) {
        if (!tpe.has("constant_liar_type")) {
            // an explicit null disables the liar, as in NNI; absence keeps the default
            return tpe.containsKey("constant_liar_type") ? ConstantLiar.NONE : def;
        }
        Object v = tpe.raw("constant_liar_type").orElseThrow();
        if (v instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "best": return ConstantLiar.BEST;
                case "worst": return ConstantLiar.WORST;
                case "mean": return ConstantLiar.MEAN;
                case "none": return ConstantLiar.NONE;
                default: break;
            }
        }
        tpe.problems().add(tpe.path().child("constant_liar_type"),
                "must be one of [best, worst, mean, none] or null, was " + (v instanceof String s ? "'" + s + "'" : v));
        return def;
    }
}
