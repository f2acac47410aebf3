package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.AssessorProvider;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.tuner.OptimizeMode;

/**
 * Registers {@link CurvefittingAssessor} as {@code Curvefitting}. classArgs, as NNI's validator has them:
 * {@code epoch_num} (required, an integer in 1..9999; NNI also allows 0, which names no step), {@code start_step}
 * (0..9999, default 6), {@code threshold} (a number in [0, 9999], default 0.95) and {@code gap} (1..9999, default 1);
 * Hybrid also accepts {@code optimize_mode} ({@code maximize}, the default, or {@code minimize}). Any other key is an
 * error.
 */
public final class CurvefittingAssessorProvider implements AssessorProvider {

    @Override
    public String name() {
        return "Curvefitting";
    }

    @Override
    public Assessor create(ConfigNode classArgs) {
        int epochNum = 20;
        if (classArgs.has("epoch_num")) {
            epochNum = classArgs.intIn("epoch_num", 20, 1, 9999);
        } else {
            classArgs.problem("epoch_num", "is required: the epoch whose result is predicted, e.g. 20");
        }
        int startStep = classArgs.intIn("start_step", 6, 0, 9999);
        double threshold = classArgs.doubleIn("threshold", 0.95, 0, 9999);
        int gap = classArgs.intIn("gap", 1, 1, 9999);
        OptimizeMode mode = classArgs.enumValue("optimize_mode", OptimizeMode.class, OptimizeMode.MAXIMIZE);
        classArgs.rejectUnknownKeys();
        return new CurvefittingAssessor(epochNum, startStep, threshold, gap, mode);
    }
}
