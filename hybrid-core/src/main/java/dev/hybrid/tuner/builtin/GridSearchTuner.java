package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NNI's {@code GridSearch} tuner (2.7+ semantics): walks a grid of the whole search space, every combination once,
 * and answers {@link Suggestion.Done} when a finite grid is exhausted.
 *
 * <p>Every spec is supported. Discrete parameters ({@code choice}, {@code randint}, {@code quniform},
 * {@code qloguniform}) contribute all their distinct values. Continuous ones are refined progressively: the first
 * pass takes each one's median (the midpoint of a uniform, the geometric midpoint of a log-uniform, the mean of a
 * normal), the next adds the quartiles, then the odd eighths and so on, each pass proposing only the combinations
 * not proposed before; the q-normal types take the distinct quantised values of those points. So a space with a
 * continuous parameter keeps yielding new combinations. A nested choice enumerates each branch's own grid.
 *
 * <p>Deterministic; results are ignored. Called only from the experiment thread; not thread-safe.
 */
public final class GridSearchTuner implements Tuner {
    private static final Logger log = LoggerFactory.getLogger(GridSearchTuner.class);

    /**
     * The JSON of every proposal. Not the {@code Parameters} themselves: a map's hash is the sum of its entries', so
     * the combinations of a grid, which reuse the same values under different names, collide in droves.
     */
    private final Set<String> proposed = new HashSet<>();
    private SpaceGrid grid;
    private int epoch;
    private long next;

    /** A tuner with no space yet; call {@link #updateSearchSpace} first. */
    public GridSearchTuner() {
    }

    /** Sets the space and starts its grid from the beginning. */
    @Override
    public void updateSearchSpace(SearchSpace space) {
        Objects.requireNonNull(space, "space");
        grid = SpaceGrid.of(space);
        epoch = 0;
        next = 0;
        proposed.clear();
    }

    /**
     * The next combination of the grid, or {@link Suggestion.Done} once the grid is exhausted (and from then on).
     *
     * @throws IllegalStateException before the first {@link #updateSearchSpace}
     */
    @Override
    public Suggestion suggest(TrialId trial) {
        if (grid == null) {
            throw new IllegalStateException("suggest before updateSearchSpace");
        }
        while (true) {
            if (next < grid.count(epoch)) {
                Parameters p = new Parameters(grid.combo(next++));
                // The grid itself never repeats; this guards against values that coincide in floating point.
                if (proposed.add(p.toJson())) {
                    return new Suggestion.Next(p);
                }
            } else if (epoch < grid.lastGrowth()) {
                epoch++;
                log.debug("Grid refined to epoch {} ({} combinations so far)", epoch, next);
            } else {
                log.debug("Grid exhausted after {} combinations", proposed.size());
                return new Suggestion.Done();
            }
        }
    }

    /** Ignored: a grid does not depend on results. */
    @Override
    public void onResult(TrialId trial, Parameters parameters, double value) {
    }
}
