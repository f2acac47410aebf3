package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.GpTuner.Settings;
import dev.hybrid.tuner.builtin.GpTuner.Utility;

/**
 * Creates the {@code GPTuner} (NNI's newer name: {@code GP}) from NNI's {@code classArgs}:
 * <pre>
 * optimize_mode: maximize              # or minimize; NNI's default is maximize
 * utility: ei                          # ei | ucb | poi
 * kappa: 5                             # ucb's weight of the standard deviation
 * xi: 0                                # ei/poi improvement margin, in the metric's units
 * nu: 2.5                              # Matérn smoothness: 0.5, 1.5, 2.5 (NNI's default) or .inf, the RBF
 *                                      # kernel, as BoTorch 0.18's default model (better on 10-D Ackley)
 * alpha: 1e-6                          # smallest noise variance (of the standardised metric)
 * cold_start_num: 10                   # Latin hypercube trials before the model is used
 * selection_num_warm_up: 2000          # points scored per suggestion (NNI: 100000)
 * selection_num_starting_points: 10    # of which the best are refined by L-BFGS (NNI: 250)
 * </pre>
 * Bad values and unknown keys are reported at their paths, e.g. {@code tuner.classArgs.nu}.
 */
public class GpTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "GPTuner";
    }

    /** The same tuner under NNI's newer name {@code GP}. */
    public static final class Alias extends GpTunerProvider {
        @Override
        public String name() {
            return "GP";
        }
    }

    @Override
    public final Tuner create(ConfigNode args, TunerContext context) {
        Settings d = Settings.defaults();
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        Utility utility = args.enumValue("utility", Utility.class, d.utility());
        double kappa = args.doubleIn("kappa", d.kappa(), 0.0, 1e6);
        double xi = args.doubleIn("xi", d.xi(), 0.0, 1e12);
        double nu = args.doubleIn("nu", d.nu(), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        if (nu != 0.5 && nu != 1.5 && nu != 2.5 && nu != Double.POSITIVE_INFINITY) {
            args.problem("nu", "must be 0.5, 1.5, 2.5 (the Matérn kernels supported) or .inf (the RBF kernel), was "
                    + nu);
            nu = d.nu();
        }
        double alpha = args.doubleIn("alpha", d.alpha(), 0.0, 1.0);
        if (alpha == 0.0) {
            args.problem("alpha", "must be > 0, was 0");
            alpha = d.alpha();
        }
        int coldStart = args.intIn("cold_start_num", d.coldStart(), 0, 1_000_000);
        int warmUp = args.intIn("selection_num_warm_up", d.warmUp(), 1, 10_000_000);
        int starts = args.intIn("selection_num_starting_points", d.startingPoints(), 1, 100_000);
        args.rejectUnknownKeys();
        Settings settings = new Settings(mode, utility, kappa, xi, nu, alpha, coldStart, warmUp, starts);
        return new GpTuner(settings, context.random());
    }
}
