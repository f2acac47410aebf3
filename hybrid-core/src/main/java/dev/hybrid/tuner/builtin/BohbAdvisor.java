package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * NNI's {@code BOHB} advisor (Falkner, Klein and Hutter 2018): Hyperband's brackets between {@code min_budget} and
 * {@code max_budget}, with each new configuration proposed by a kernel density model of the largest budget that has
 * enough results (see {@code BohbModel}) instead of at random. The budget reaches each trial as the float parameter
 * {@code TRIAL_BUDGET}: bracket {@code s} (from {@code sMax = floor(log_eta(max / min))} down to 0, then again)
 * starts {@code ceil((sMax + 1) · eta^s / (s + 1))} configurations at {@code max_budget / eta^s}, and each rung keeps
 * the best {@code 1 / eta} of the one before at {@code eta} times its budget.
 *
 * <p>New configurations are proposed when a trial asks for one (as HpBandSter does), so each uses every result known
 * at that time. A slot that finds nothing to run opens the next bracket rather than waiting, so concurrent trials
 * stay busy; NNI's BOHB runs one bracket at a time.
 *
 * <p>Called only from the experiment thread; not thread-safe. A fixed seed and the same events give the same
 * suggestions.
 */
public final class BohbAdvisor extends BracketAdvisor {

    /**
     * BOHB's settings, as read from NNI's {@code classArgs} by {@link BohbAdvisorProvider}.
     *
     * @param mode whether larger or smaller results are better
     * @param minBudget the smallest budget, greater than 0
     * @param maxBudget the largest budget, at least {@code minBudget}
     * @param eta the halving rate, at least 2
     * @param minPointsInModel results a budget needs before it is modelled (0: the number of dimensions plus one,
     *     which is also the least used)
     * @param topNPercent the percentage of a budget's results that forms the good set, 1..99
     * @param numSamples candidates drawn per model-based proposal, at least 1
     * @param randomFraction the share of configurations drawn at random, in [0, 1]
     * @param bandwidthFactor how much wider candidate draws are than the model's kernels, greater than 0
     * @param minBandwidth the smallest kernel bandwidth, at least 0
     */
    public record Settings(OptimizeMode mode, double minBudget, double maxBudget, int eta, int minPointsInModel,
            int topNPercent, int numSamples, double randomFraction, double bandwidthFactor, double minBandwidth) {
        /** @throws IllegalArgumentException if a value is outside its range */
        public Settings {
            Objects.requireNonNull(mode, "mode");
            if (!(minBudget > 0) || !(maxBudget >= minBudget) || eta < 2 || minPointsInModel < 0
                    || topNPercent < 1 || topNPercent > 99 || numSamples < 1 || !(randomFraction >= 0)
                    || randomFraction > 1 || !(bandwidthFactor > 0) || !(minBandwidth >= 0)) {
                throw new IllegalArgumentException("BOHB settings out of range: " + minBudget + ", " + maxBudget
                        + ", " + eta + ", " + minPointsInModel + ", " + topNPercent + ", " + numSamples + ", "
                        + randomFraction + ", " + bandwidthFactor + ", " + minBandwidth);
            }
        }
    }

    private final Settings settings;
    private final RandomGenerator random;
    private BohbModel model;

    /** An advisor with these settings, drawing from {@code random}, which it owns from now on. */
    public BohbAdvisor(Settings settings, RandomGenerator random) {
        this(random, settings, null);
    }

    /**
     * An advisor that also passes each trial checkpoint folders under {@code checkpointDir}, so that a promoted
     * configuration can continue from its earlier run (see {@link BracketAdvisor}; NNI's BOHB passes none).
     *
     * @param checkpointDir an absolute folder that every trial's machine reaches
     * @throws IllegalArgumentException if {@code checkpointDir} is relative
     */
    public BohbAdvisor(Settings settings, Path checkpointDir, RandomGenerator random) {
        this(random, settings, Objects.requireNonNull(checkpointDir, "checkpointDir"));
    }

    /** {@code checkpointDir} null: no checkpoint folders. */
    private BohbAdvisor(RandomGenerator random, Settings settings, Path checkpointDir) {
        super(Objects.requireNonNull(settings, "settings").mode(), checkpointDir);
        this.settings = settings;
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    String name() {
        return "BOHB";
    }

    @Override
    BracketSchedule newSchedule() {
        int sMax = BracketSchedule.halvings(settings.minBudget(), settings.maxBudget(), settings.eta());
        return new BracketSchedule(sMax, settings.eta(), settings.maxBudget(), true, false);
    }

    @Override
    void useSpace(SearchSpace space) {
        model = new BohbModel(new SpaceModel(space), new BohbModel.Settings(settings.minPointsInModel(),
                settings.topNPercent(), settings.numSamples(), settings.randomFraction(),
                settings.bandwidthFactor(), settings.minBandwidth()), random);
    }

    @Override
    Parameters newConfiguration(double budget) {
        return model.propose();
    }

    @Override
    void learn(Parameters config, double budget, double loss) {
        model.observe(config, budget, loss);
    }

    @Override
    Object budgetValue(double budget) {
        return budget;
    }

    @Override
    double maxBudget() {
        return settings.maxBudget();
    }
}
