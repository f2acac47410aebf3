package dev.hybrid.tuner.builtin;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import dev.hybrid.tuner.builtin.HyperbandAdvisor.ExecMode;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Registers {@link HyperbandAdvisor} as NNI's advisor {@code Hyperband}, with NNI's {@code classArgs}:
 * <pre>
 * optimize_mode: maximize      # or minimize; default: the experiment's (maximize)
 * R: 60                        # the largest budget, an integer >= 1
 * eta: 3                       # the halving rate, an integer >= 2
 * exec_mode: parallelism       # or serial
 * all_checkpoint_dir: /shared/ck # not NNI's: an absolute folder every trial's machine reaches; default none
 * </pre>
 * With {@code all_checkpoint_dir}, trials also receive {@code load_checkpoint_dir} and {@code save_checkpoint_dir}
 * (see {@link BracketAdvisor}) so that a promoted configuration can continue from its earlier run; without it they
 * receive exactly NNI's parameters.
 * Bad values and unknown keys are reported at their paths, e.g. {@code advisor.classArgs.eta}.
 */
public final class HyperbandAdvisorProvider implements TunerProvider {

    @Override
    public String name() {
        return "Hyperband";
    }

    @Override
    public boolean isAdvisor() {
        return true;
    }

    @Override
    public Tuner create(ConfigNode args, TunerContext context) {
        OptimizeMode mode = args.enumValue("optimize_mode", OptimizeMode.class, context.optimizeMode());
        int r = args.intIn("R", 60, 1, 1_000_000_000);
        int eta = args.intIn("eta", 3, 2, 1_000_000);
        ExecMode exec = args.enumValue("exec_mode", ExecMode.class, ExecMode.PARALLELISM);
        // not made per resume, unlike PBTTuner's: a resumed advisor replays its brackets, and its promotions should
        // load what the earlier run's trials saved
        Optional<Path> checkpoints = CheckpointDirArg.read(args);
        args.rejectUnknownKeys();
        return checkpoints.isPresent()
                ? new HyperbandAdvisor(mode, r, eta, exec, checkpoints.get(), context.random())
                : new HyperbandAdvisor(mode, r, eta, exec, context.random());
    }
}
