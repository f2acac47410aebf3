package dev.hybrid.dashboard.internal;

import dev.hybrid.store.StoredTrial;
import java.time.Instant;
import java.util.List;

/** The experiment and every trial (without intermediate metrics) as of one moment, which the views are built from. */
public record Snapshot(ExperimentInfo info, List<StoredTrial> trials, Instant asOf) {
    public Snapshot {
        trials = List.copyOf(trials);
    }
}
