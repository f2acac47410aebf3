package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trials a point-based tuner (Evolution, Anneal) has proposed or been told about: each one's point in the
 * {@link SpaceModel}, its loss once a result is in, and the results ranked by loss (ties by age). Also remembers every
 * parameter set proposed, so that a tuner can avoid repeats in discrete spaces.
 */
final class TrialHistory {

    /** One trial. */
    static final class Entry {
        final double[] point;
        double loss = Double.NaN;
        boolean hasResult;
        boolean ended;

        Entry(double[] point) {
            this.point = point;
        }

        /** Proposed, without a result, not ended. */
        boolean isPending() {
            return !hasResult && !ended;
        }
    }

    private final Map<TrialId, Entry> byId = new LinkedHashMap<>();
    private final Set<Parameters> proposed = new HashSet<>();
    private final List<Entry> ranked = new ArrayList<>();

    void clear() {
        byId.clear();
        proposed.clear();
        ranked.clear();
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
        return e;
    }

    /**
     * Adds a trial this tuner did not propose (a resumed experiment's, NNI import data) as ended, without a result
     * yet; empty when its parameters do not fit the space.
     */
    Optional<Entry> addPrior(TrialId trial, Parameters parameters, SpaceModel model) {
        Optional<double[]> point = model.encode(parameters);
        if (point.isEmpty()) {
            return Optional.empty();
        }
        Entry e = propose(trial, point.get(), parameters);
        e.ended = true;
        return Optional.of(e);
    }

    /** Sets (or replaces) the entry's result and its place in the ranking; NaN and the worst infinity rank last. */
    void rank(Entry e, double value, OptimizeMode mode) {
        if (e.hasResult) {
            ranked.remove(e);
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

    /** The entries with results, best first (ties by age). */
    List<Entry> ranked() {
        return ranked;
    }
}
