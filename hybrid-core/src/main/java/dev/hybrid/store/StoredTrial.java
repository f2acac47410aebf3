package dev.hybrid.store;

import dev.hybrid.trial.Trial;
import java.util.Objects;

/**
 * A stored trial: its snapshot (with the metrics of its latest attempt) and which attempt that is. A trial that was
 * waiting or running when its experiment's process died is run again on resume as a new attempt, with the same id
 * and parameters.
 *
 * @param attempt 1 for the first run, counting up with each resubmission
 */
public record StoredTrial(Trial trial, int attempt) {
    public StoredTrial {
        Objects.requireNonNull(trial, "trial");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
    }
}
