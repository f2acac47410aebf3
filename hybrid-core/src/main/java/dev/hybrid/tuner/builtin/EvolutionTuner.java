package dev.hybrid.tuner.builtin;

import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code Evolution} tuner, as regularized (aging) evolution.
 *
 * <h2>Algorithm</h2>
 * As in NNI, the first {@code population_size} trials are drawn at random; after that every trial is a mutation of
 * a parent picked by a tournament among the population. The differences from NNI's {@code EvolutionTuner}, each kept
 * because the benchmark in {@code hybrid-examples/bench-results} showed it better on every problem:
 * <ul>
 *   <li><b>Aging.</b> The population is the {@code population_size} most recent results; a new result replaces
 *       the oldest (NNI replaces the tournament's loser). Old lucky individuals cannot dominate forever.</li>
 *   <li><b>Tournament.</b> The parent is the best of {@code max(2, population_size / 4)} individuals drawn without
 *       replacement (NNI: the better of two), which selects harder while the aging keeps diversity.</li>
 *   <li><b>Mutation.</b> Each active parameter of the parent mutates with probability 1/m (m its active parameters),
 *       at least one always. A numeric parameter moves by a normal step in its internal space (log space for the log
 *       types) whose width is its range (the spec's sigma for the normal types) times a factor drawn log-uniformly
 *       from [0.001, 0.3], so that both long jumps and fine tuning happen; the step reflects at the bounds. A
 *       {@code choice} switches to another option, drawn uniformly; a branch that a nested choice switches on is
 *       drawn from the priors (NNI instead redraws one parameter uniformly from its whole range).</li>
 *   <li><b>No repeats.</b> A proposal equal to an earlier one (possible only in discrete spaces) is mutated again,
 *       and after a few tries drawn at random.</li>
 * </ul>
 * Pending trials take no part in the selection; each proposal is an independent draw, so parallel workers get
 * different mutations. A trial that ends without a result (failed, cancelled) is forgotten, and while fewer than
 * {@code population_size} results are in and not enough trials are pending to fill the population, trials are drawn
 * at random. NaN and the worst infinity count as the worst result.
 *
 * <p>Called only from the experiment thread; not thread-safe. A fixed seed and the same results give the same
 * sequence of suggestions. Results for unknown trial ids are ignored; a result arriving after the trial's
 * {@link #onTrialEnd} is still credited.
 */
public final class EvolutionTuner extends PointTuner {
    private static final Logger log = LoggerFactory.getLogger(EvolutionTuner.class);
    private static final double MIN_STEP = 0.001;
    private static final double MAX_STEP = 0.3;

    private final int populationSize;
    private final RandomGenerator random;
    /** The most recent results, oldest first. */
    private final Deque<TrialHistory.Entry> population = new ArrayDeque<>();

    /**
     * A tuner that optimises in {@code mode} with a population of {@code populationSize}, drawing from {@code random}.
     *
     * @throws IllegalArgumentException if {@code populationSize} is below 2
     */
    public EvolutionTuner(OptimizeMode mode, int populationSize, RandomGenerator random) {
        super("Evolution", mode);
        this.random = Objects.requireNonNull(random, "random");
        if (populationSize < 2) {
            throw new IllegalArgumentException("populationSize must be >= 2, was " + populationSize);
        }
        this.populationSize = populationSize;
    }

    /** Replacing the space forgets the population too. */
    @Override
    void spaceChanged() {
        population.clear();
    }

    /** The trial joins the population and the oldest member leaves it once it is full. */
    @Override
    void firstResult(TrialHistory.Entry e) {
        population.addLast(e);
        while (population.size() > populationSize) {
            population.removeFirst();
        }
    }

    /**
     * Proposes a random point while the population is filling up, else a mutation of a tournament's winner: always
     * {@link Suggestion.Next}.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     * @throws IllegalArgumentException if parameters were already proposed for {@code trial}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        checkSuggest(trial);
        boolean filling = population.size() < 2 || population.size() + history.pendingCount() < populationSize;
        // a trial id proposed before fails in propose, after a draw that is thrown away
        TrialHistory.Draw d = history.draw(model, !filling, () -> mutate(tournament().point), random);
        history.propose(trial, d.point(), d.parameters());
        log.debug("Evolution proposes {} for trial {}", d.parameters(), trial);
        return new Suggestion.Next(d.parameters());
    }

    private TrialHistory.Entry tournament() {
        TrialHistory.Entry[] members = population.toArray(new TrialHistory.Entry[0]);
        int size = Math.min(members.length, Math.max(2, populationSize / 4));
        TrialHistory.Entry best = null;
        // a partial Fisher–Yates shuffle draws `size` distinct members
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(members.length - i);
            TrialHistory.Entry pick = members[j];
            members[j] = members[i];
            members[i] = pick;
            if (best == null || pick.loss < best.loss) {
                best = pick;
            }
        }
        return best;
    }

    private double[] mutate(double[] parent) {
        int active = 0;
        for (double v : parent) {
            if (!Double.isNaN(v)) {
                active++;
            }
        }
        int forced = random.nextInt(active);
        double rate = 1.0 / active;
        int[] seen = {0};
        return model.derive(parent, (d, v) -> {
            boolean change = seen[0]++ == forced || random.nextDouble() < rate;
            return change ? Mutation.step(d, v, random) : v;
        }, random);
    }

    /** The mutation of one coordinate. */
    static final class Mutation {
        private Mutation() {
        }

        /** Another option of a choice, or a normal step of multi-scale width reflected into the range. */
        static double step(Dim d, double v, RandomGenerator random) {
            if (d.categorical) {
                if (d.size < 2) {
                    return v;
                }
                int other = random.nextInt(d.size - 1);
                return other >= (int) v ? other + 1 : other;
            }
            double scale = MIN_STEP * Math.pow(MAX_STEP / MIN_STEP, random.nextDouble());
            double moved = v + d.width() * scale * random.nextGaussian();
            return d.bounded ? reflect(moved, d.low, d.high) : moved;
        }

        /** {@code x} folded back into {@code [low, high]} at the bounds. */
        static double reflect(double x, double low, double high) {
            double span = high - low;
            double t = (x - low) % (2 * span);
            if (t < 0) {
                t += 2 * span;
            }
            return low + (t <= span ? t : 2 * span - t);
        }
    }
}
