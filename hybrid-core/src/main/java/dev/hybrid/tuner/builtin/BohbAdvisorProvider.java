package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Registers {@link BohbAdvisor} as NNI's advisor {@code BOHB}, with NNI's {@code classArgs} and defaults:
 * <pre>
 * optimize_mode: maximize      # or minimize; default: the experiment's (maximize)
 * min_budget: 1                # > 0
 * max_budget: 3                # >= min_budget
 * eta: 3                       # an integer >= 2
 * min_points_in_model: null    # an integer; null or less than the dimensions + 1 means dimensions + 1
 * top_n_percent: 15            # 1..99
 * num_samples: 64              # >= 1
 * random_fraction: 0.33        # [0, 1]
 * bandwidth_factor: 3          # > 0
 * min_bandwidth: 0.001         # >= 0
 * all_checkpoint_dir: /shared/ck # not NNI's: an absolute folder every trial's machine reaches; default none
 * </pre>
 * With {@code all_checkpoint_dir}, trials also receive {@code load_checkpoint_dir} and {@code save_checkpoint_dir}
 * (see {@link BracketAdvisor}) so that a promoted configuration can continue from its earlier run; without it they
 * receive exactly NNI's parameters.
 * Bad values and unknown keys are reported at their paths, e.g. {@code advisor.classArgs.max_budget}.
 */
public final class BohbAdvisorProvider implements TunerProvider {
    private static final double LARGE = 1e12;

    @Override
    public String name() {
        return "BOHB";
    }

    @Override
    public boolean isAdvisor() {
        return true;
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        double min = positive(args, "min_budget", 1);
        double max = positive(args, "max_budget", 3);
        if (max < min) {
            args.problem("max_budget", "must be >= min_budget (" + min + "), was " + max);
            max = min;
        }
        int eta = args.intIn("eta", 3, 2, 1_000_000);
        int minPoints = args.intIn("min_points_in_model", 0, 0, 1_000_000);
        int topN = args.intIn("top_n_percent", 15, 1, 99);
        int samples = args.intIn("num_samples", 64, 1, 1_000_000);
        double randomFraction = args.doubleIn("random_fraction", 1.0 / 3, 0, 1);
        double bandwidthFactor = positive(args, "bandwidth_factor", 3);
        double minBandwidth = args.doubleIn("min_bandwidth", 1e-3, 0, LARGE);
        Optional<Path> checkpoints = CheckpointDirArg.read(args);
        args.rejectUnknownKeys();
        BohbAdvisor.Settings settings = new BohbAdvisor.Settings(mode, min, max, eta, minPoints, topN, samples,
                randomFraction, bandwidthFactor, minBandwidth);
        return checkpoints.isPresent() ? new BohbAdvisor(settings, checkpoints.get(), context.random())
                : new BohbAdvisor(settings, context.random());
    }

    private static double positive(ConfigNode args, String key, double def) {
        double v = args.doubleIn(key, def, 0, LARGE);
        if (v == 0) {
            args.problem(key, "must be > 0, was 0");
            return def;
        }
        return v;
    }
}
