package dev.hybrid.store;

import java.util.List;

/**
 * The trials {@link SqliteExperimentStore#trialsChanged} read (without intermediate metrics, in sequence order) and
 * the position to read on from.
 */
public record TrialsRead(List<StoredTrial> trials, Position next) {
    /** Where a reader that has read nothing yet starts: it reads every trial. */
    public static final Position START = new Position(-1, Integer.MIN_VALUE);

    public TrialsRead {
        trials = List.copyOf(trials);
    }

    /** The last trial event and the highest trial sequence a reader has seen. */
    public record Position(long lastEvent, int maxSequence) {
    }
}
