package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.WarmStart;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the point-based tuners (TPE, GP, Evolution, Anneal) share: the space as a {@link SpaceModel}, the
 * {@link TrialHistory} of the trials proposed or told about, and the bookkeeping of results, ends and a resumed
 * experiment's trials. A subclass proposes points and may react to a space or a first result through the hooks.
 */
abstract class PointTuner implements Tuner, WarmStart {
    private static final Logger log = LoggerFactory.getLogger(PointTuner.class);

    /** The tuner's NNI name, for log lines. */
    private final String name;
    private final OptimizeMode mode;
    final TrialHistory history;
    /** Null until {@link #updateSearchSpace}. */
    SpaceModel model;

    PointTuner(String name, OptimizeMode mode) {
        this.name = Objects.requireNonNull(name, "name");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.history = new TrialHistory(name);
    }

    /** The direction it was built for: the model ranks losses, so it must know which way is better. */
    @Override
    public final Optional<OptimizeMode> optimizeMode() {
        return Optional.of(mode);
    }

    /** Sets the space; every type and nesting depth is supported. Replacing the space forgets the history. */
    @Override
    public final void updateSearchSpace(SearchSpace space) {
        model = new SpaceModel(Objects.requireNonNull(space, "space"));
        history.clear();
        spaceChanged();
    }

    /** Called after a new space replaced the model and cleared the history. */
    void spaceChanged() {
    }

    /**
     * The checks every {@code suggest} starts with.
     *
     * @throws IllegalStateException before {@link #updateSearchSpace}
     */
    final void checkSuggest(TrialId trial) {
        Objects.requireNonNull(trial, "trial");
        if (model == null) {
            throw new IllegalStateException("updateSearchSpace must be called before suggest");
        }
    }

    /** Records a final result; ignored for unknown trials. The value may be NaN or ±Infinity (then the worst loss). */
    @Override
    public final void onResult(TrialId trial, Parameters parameters, double value) {
        TrialHistory.Entry e = history.get(trial);
        if (e == null) {
            log.debug("{} ignores a result for unknown trial {}", name, trial);
            return;
        }
        boolean first = !e.hasResult;
        history.rank(e, value, mode);
        if (first) {
            firstResult(e);
        }
    }

    /** Called once a trial has its first result, after it was ranked. */
    void firstResult(TrialHistory.Entry e) {
    }

    /** A trial ended: it is no longer pending. A result that arrives later is still credited. */
    @Override
    public final void onTrialEnd(TrialId trial, TrialStatus status) {
        history.end(trial);
    }

    /**
     * A result this tuner did not propose (a resumed experiment's history, NNI import data): it joins the
     * observations as if it had been suggested and reported. Parameters that do not fit the space are ignored.
     */
    @Override
    public final void addPriorResult(TrialId trial, Parameters parameters, double value) {
        Objects.requireNonNull(trial, "trial");
        if (history.admitPrior(trial, parameters, model)) {
            onResult(trial, parameters, value);
        }
    }

    /**
     * A resumed experiment's trial without a result: one that runs again under its id is pending from now on (its
     * result, when it arrives, is credited as for a trial this tuner proposed), one that ended without a result
     * only counts as proposed. Parameters that do not fit the space are ignored.
     */
    @Override
    public final void addPriorTrial(TrialId trial, Parameters parameters, TrialStatus status) {
        Objects.requireNonNull(trial, "trial");
        history.admitPriorTrial(trial, parameters, status, model);
    }
}
