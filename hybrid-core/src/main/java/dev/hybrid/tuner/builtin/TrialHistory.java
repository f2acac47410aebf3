package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trials a point-based tuner (TPE, GP, Evolution, Anneal) has proposed or been told about: each one's point in the
 * {@link SpaceModel}, its loss once a result is in, and the results ranked by loss (ties by the order the results
 * arrived). Also remembers every parameter set proposed, so that a tuner can avoid repeats in discrete spaces.
 */
final class TrialHistory {
    private static final Logger log = LoggerFactory.getLogger(TrialHistory.class);
    private static final int MAX_REDRAWS = 8;

    /** A proposed point and the parameters it decodes to. */
    record Draw(double[] point, Parameters parameters) {
    }

    /** One trial. */
    static final class Entry {
        final double[] point;
        double loss = Double.NaN;
        boolean hasResult;
        boolean ended;
        /** Scratch for the owning tuner while it builds one proposal (TPE marks its "below" group with it). */
        long mark = -1;

        Entry(double[] point) {
            this.point = point;
        }

        /** Proposed, without a result, not ended. */
        boolean isPending() {
            return !hasResult && !ended;
        }
    }

    private final String tuner;
    private final Map<TrialId, Entry> byId = new LinkedHashMap<>();
    private final Set<Parameters> proposed = new HashSet<>();
    private final List<Entry> ranked = new ArrayList<>();
    /** How many entries are pending. */
    private int pending;

    /** A history for the tuner named {@code tuner} (for log lines). */
    TrialHistory(String tuner) {
        this.tuner = tuner;
    }

    void clear() {
        byId.clear();
        proposed.clear();
        ranked.clear();
        pending = 0;
    }

    /** How many trials are proposed, without a result and not ended. */
    int pendingCount() {
        return pending;
    }

    /** The trial's entry, or null for a trial this history does not know. */
    Entry get(TrialId trial) {
        return byId.get(trial);
    }

    /** Every entry, in the order the trials were proposed or added. */
    Collection<Entry> entries() {
        return byId.values();
    }

    boolean wasProposed(Parameters parameters) {
        return proposed.contains(parameters);
    }

    /**
     * Records a proposal.
     *
     * @throws IllegalArgumentException if parameters were already proposed for {@code trial}
     */
    Entry propose(TrialId trial, double[] point, Parameters parameters) {
        if (byId.containsKey(trial)) {
            throw new IllegalArgumentException("parameters were already proposed for trial " + trial);
        }
        Entry e = new Entry(point);
        byId.put(trial, e);
        proposed.add(parameters);
        pending++;
        return e;
    }

    /**
     * A proposal that repeats no earlier one (possible only when every active parameter is discrete): {@code next}
     * when {@code guided}, tried a few times, then draws from the priors; the last draw is kept even if it repeats
     * (a finite space may be exhausted).
     */
    Draw draw(SpaceModel model, boolean guided, Supplier<double[]> next, RandomGenerator random) {
        double[] x = null;
        Parameters p = null;
        for (int attempt = 0; attempt < 2 * MAX_REDRAWS && (p == null || proposed.contains(p)); attempt++) {
            if (guided && attempt < MAX_REDRAWS) {
                x = next.get();
            } else {
                x = model.emptyPoint();
                model.samplePrior(model.root(), x, random);
            }
            p = model.decode(x);
        }
        return new Draw(x, p);
    }

    /**
     * Makes a prior result's trial (a resumed experiment's, NNI import data) known, as ended, if it is not yet.
     *
     * @return whether the result is to be credited: false when the parameters do not fit the space (it is ignored)
     * @throws IllegalStateException if {@code model} is absent (the tuner has no space yet)
     */
    boolean admitPrior(TrialId trial, Parameters parameters, SpaceModel model) {
        Objects.requireNonNull(parameters, "parameters");
        if (model == null) {
            throw new IllegalStateException("updateSearchSpace must be called before addPriorResult");
        }
        if (byId.containsKey(trial)) {
            return true;
        }
        Optional<double[]> point = model.encode(parameters);
        if (point.isEmpty()) {
            log.debug("{} ignores a prior result whose parameters do not fit the space: {}", tuner, parameters);
            return false;
        }
        markEnded(propose(trial, point.get(), parameters));
        return true;
    }

    /**
     * Makes a resumed experiment's trial that has no result known, if it is not yet: pending when it runs again under
     * its id ({@code status} {@code WAITING}: its result and end arrive later, as for a trial the tuner proposed), else
     * ended. Either way its parameters count as proposed. A known trial, or one whose parameters do not fit the space,
     * is left alone.
     *
     * @throws IllegalStateException if {@code model} is absent (the tuner has no space yet)
     */
    void admitPriorTrial(TrialId trial, Parameters parameters, TrialStatus status, SpaceModel model) {
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(status, "status");
        if (model == null) {
            throw new IllegalStateException("updateSearchSpace must be called before addPriorTrial");
        }
        if (byId.containsKey(trial)) {
            return;
        }
        Optional<double[]> point = model.encode(parameters);
        if (point.isEmpty()) {
            log.debug("{} ignores a prior trial whose parameters do not fit the space: {}", tuner, parameters);
            return;
        }
        Entry e = propose(trial, point.get(), parameters);
        if (status.isFinished()) {
            markEnded(e);
        }
    }

    /** Marks a known trial ended (an unknown one is ignored). */
    void end(TrialId trial) {
        Entry e = byId.get(trial);
        if (e != null) {
            markEnded(e);
        }
    }

    private void markEnded(Entry e) {
        if (e.isPending()) {
            pending--;
        }
        e.ended = true;
    }

    /** Sets (or replaces) the entry's result and its place in the ranking; NaN and the worst infinity rank last. */
    void rank(Entry e, double value, OptimizeMode mode) {
        if (e.hasResult) {
            ranked.remove(e);
        } else if (!e.ended) {
            pending--;
        }
        double loss = mode.toLoss(value);
        e.loss = Double.isNaN(loss) ? Double.POSITIVE_INFINITY : loss;
        e.hasResult = true;
        int lo = 0;
        int hi = ranked.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ranked.get(mid).loss <= e.loss) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        ranked.add(lo, e);
    }

    /** The entries with results, best first (ties by the order their results arrived). */
    List<Entry> ranked() {
        return ranked;
    }
}
