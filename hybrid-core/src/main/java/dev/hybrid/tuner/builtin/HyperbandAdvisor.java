package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * NNI's {@code Hyperband} advisor (Li et al. 2018): brackets of successive halving over random configurations, the
 * budget passed to each trial as the integer parameter {@code TRIAL_BUDGET}.
 *
 * <p>With {@code sMax = floor(log_eta(R))}, bracket {@code s} (from {@code sMax} down to 0, then again) draws
 * {@code n = ceil((sMax + 1) · eta^s / (s + 1))} random configurations at budget {@code floor(R / eta^s)}; each time
 * every trial of a rung has ended, the best {@code floor(n / eta^i)} of them run again, as new trials, with budget
 * {@code floor(R / eta^s · eta^i)}, up to {@code R}. So with {@code R = 9, eta = 3}: 9 configurations at 1, the best 3
 * at 3, the best at 9; then 5 at 3 and the best at 9; then 3 at 9. A trial that ends without a result is not
 * promoted. {@code exec_mode: parallelism} (NNI's default) opens the next bracket whenever a slot finds nothing to run;
 * {@code serial} answers {@link dev.hybrid.tuner.Suggestion.Later} until the open bracket has finished.
 *
 * <p>Given a checkpoint folder, trials also receive {@code load_checkpoint_dir} and {@code save_checkpoint_dir}, so
 * that a promoted configuration can continue from its earlier run instead of starting again (see
 * {@link BracketAdvisor}); the schedule and the configurations are the same either way.
 *
 * <p>Called only from the experiment thread; not thread-safe. A fixed seed and the same events give the same
 * suggestions.
 */
public final class HyperbandAdvisor extends BracketAdvisor {
    private final int maxBudget;
    private final int eta;
    private final boolean parallel;
    private final RandomTuner sampler;

    /** How brackets share the experiment's slots (NNI's {@code exec_mode}). */
    public enum ExecMode {
        /** One bracket at a time. */
        SERIAL,
        /** A new bracket whenever a slot would otherwise wait. */
        PARALLELISM
    }

    /**
     * @param mode whether larger or smaller results are better
     * @param maxBudget NNI's {@code R}: the largest budget, at least 1
     * @param eta the halving rate, at least 2
     * @param execMode whether brackets run one at a time
     * @param random the generator of the random configurations, owned by the advisor from now on
     * @throws IllegalArgumentException if {@code maxBudget < 1} or {@code eta < 2}
     */
    public HyperbandAdvisor(OptimizeMode mode, int maxBudget, int eta, ExecMode execMode, RandomGenerator random) {
        this(mode, maxBudget, eta, null, execMode, random);
    }

    /**
     * An advisor that passes each trial checkpoint folders under {@code checkpointDir} (NNI's Hyperband passes none).
     *
     * @param checkpointDir an absolute folder that every trial's machine reaches
     * @throws IllegalArgumentException if {@code maxBudget < 1}, {@code eta < 2} or {@code checkpointDir} is relative
     */
    public HyperbandAdvisor(OptimizeMode mode, int maxBudget, int eta, ExecMode execMode, Path checkpointDir,
            RandomGenerator random) {
        this(mode, maxBudget, eta, Objects.requireNonNull(checkpointDir, "checkpointDir"), execMode, random);
    }

    /** {@code checkpointDir} null: no checkpoint folders. */
    private HyperbandAdvisor(OptimizeMode mode, int maxBudget, int eta, Path checkpointDir, ExecMode execMode,
            RandomGenerator random) {
        super(mode, checkpointDir);
        if (maxBudget < 1 || eta < 2) {
            throw new IllegalArgumentException("R >= 1 and eta >= 2 must hold, were " + maxBudget + ", " + eta);
        }
        this.maxBudget = maxBudget;
        this.eta = eta;
        this.parallel = Objects.requireNonNull(execMode, "execMode") == ExecMode.PARALLELISM;
        this.sampler = new RandomTuner(random);
    }

    @Override
    String name() {
        return "Hyperband";
    }

    @Override
    BracketSchedule newSchedule() {
        return new BracketSchedule(BracketSchedule.halvings(1, maxBudget, eta), eta, maxBudget, parallel, true);
    }

    @Override
    void useSpace(SearchSpace space) {
        sampler.updateSearchSpace(space);
    }

    @Override
    Parameters newConfiguration(double budget) {
        return sampler.draw();
    }

    @Override
    void learn(Parameters config, double budget, double loss) {
        // random configurations: only the schedule learns
    }

    @Override
    Object budgetValue(double budget) {
        return (int) budget;
    }

    @Override
    double maxBudget() {
        return maxBudget;
    }
}
