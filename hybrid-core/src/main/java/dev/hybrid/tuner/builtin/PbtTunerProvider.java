package dev.hybrid.tuner.builtin;

import dev.hybrid.ExperimentBuilder;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.PbtTuner.Settings;
import java.nio.file.Path;

/**
 * Registers {@link PbtTuner} as {@code PBTTuner} (NNI 2.0's name); {@link Pbt} registers it as {@code PBT} (NNI
 * 2.6+'s). classArgs, as NNI accepts them:
 * <pre>
 * optimize_mode: maximize        # or minimize; default maximize
 * all_checkpoint_dir: /shared/ck # an absolute folder every trial's machine reaches (default below)
 * population_size: 10            # trials per generation, >= 2
 * factor: 0.2                    # numbers are multiplied by 1 ± factor, in (0, 1)
 * resample_probability: 0.25     # chance to redraw a hyperparameter instead, in [0, 1]
 * fraction: 0.2                  # share of the population replaced by the top's copies, in (0, 0.5]
 * </pre>
 * Without {@code all_checkpoint_dir} the folders go under
 * {@code ~/hybrid-experiments/pbt-checkpoints/<experiment id>}, which only trials on this machine can reach (NNI's
 * default, {@code NNI_CHECKPOINT_DIRECTORY}, is likewise its experiment's own folder on the manager's machine), so
 * two experiments never share checkpoints, whatever their seeds; a tuner built outside an experiment (no id) uses
 * {@code pbt-checkpoints/seed-<seed>}. A resumed experiment goes on with the population it recorded, in that
 * population's folders (see {@link PbtTuner}); only a population it has to start afresh goes under
 * {@code <folder>/run-<n>} for its n-th resume, so it never loads the first run's generation-0 folders. Bad values
 * and unknown keys are reported at their paths.
 */
public class PbtTunerProvider implements TunerProvider {

    @Override
    public String name() {
        return "PBTTuner";
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        Path root = ExperimentBuilder.defaultWorkingDirectory().resolve("pbt-checkpoints");
        Path fallback = context.experimentId().map(root::resolve)
                .orElseGet(() -> root.resolve("seed-" + Long.toUnsignedString(context.seed(), 36)));
        Path dir = CheckpointDirArg.read(args).orElse(fallback);
        if (context.stream() > 0) {
            // a population a resumed experiment starts afresh must not load the first run's generation-0 folders
            dir = dir.resolve("run-" + context.stream());
        }
        int population = args.intIn("population_size", 10, 2, 1_000_000);
        double factor = args.doubleIn("factor", 0.2, 0.0, 1.0);
        if (factor == 0.0 || factor == 1.0) {
            args.problem("factor", "must be in (0, 1), was " + factor);
            factor = 0.2;
        }
        double resample = args.doubleIn("resample_probability", 0.25, 0.0, 1.0);
        double fraction = args.doubleIn("fraction", 0.2, 0.0, 0.5);
        if (fraction == 0.0) {
            args.problem("fraction", "must be in (0, 0.5], was 0");
            fraction = 0.2;
        }
        args.rejectUnknownKeys();
        return new PbtTuner(new Settings(mode, dir, population, factor, resample, fraction), context.random());
    }

    /** The same tuner under NNI 2.6+'s name {@code PBT}. */
    public static final class Pbt extends PbtTunerProvider {
        @Override
        public String name() {
            return "PBT";
        }
    }
}
