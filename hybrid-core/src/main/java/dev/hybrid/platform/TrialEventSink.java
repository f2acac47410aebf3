package dev.hybrid.platform;

import dev.hybrid.trial.TrialEvent;

/**
 * Where a platform sends what happens to its trials. Thread-safe and never blocks: platforms call it from their
 * own threads.
 */
@FunctionalInterface
public interface TrialEventSink {
    void accept(TrialEvent event);
}
