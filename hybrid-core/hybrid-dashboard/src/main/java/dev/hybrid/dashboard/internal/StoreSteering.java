package dev.hybrid.dashboard.internal;

import dev.hybrid.store.ControlRequest;
import dev.hybrid.store.ControlResult;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Steers an experiment that another process runs, through its store's control requests: the running experiment
 * looks for them about twice a second and records each one's outcome, which this waits for a while so that the page
 * can show a refusal.
 */
public final class StoreSteering implements Steering {
    /** How long a request waits for the experiment's answer before the page is told it is queued. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
    /** The answer is written by another process: there is nothing to block on, so look this often. */
    private static final long LOOK_EVERY_MILLIS = 100;

    private final Path experimentDir;

    public StoreSteering(Path experimentDir) {
        this.experimentDir = experimentDir;
    }

    @Override
    public void apply(ControlRequest request) {
        long requestId;
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
            store.open();
            String id = store.experiment().map(StoredExperiment::id).orElseThrow(() -> new IllegalStateException(
                    "no experiment is recorded in " + experimentDir));
            if (!store.isRunning()) {
                throw new IllegalStateException("experiment " + id + " is not running");
            }
            requestId = store.requestControl(id, request, "dashboard");
        }
        long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
        while (System.nanoTime() - deadline < 0) {
            Optional<ControlResult> result;
            try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
                store.open();
                result = store.controlResult(requestId);
            } catch (StoreException e) {
                return; // asked; the answer cannot be read now, and the page shows what happens
            }
            if (result.isPresent() && result.get().state() == ControlResult.State.REFUSED) {
                throw new IllegalArgumentException("refused: " + result.get().reason().orElse("no reason given"));
            }
            if (result.isPresent() && result.get().state() == ControlResult.State.APPLIED) {
                return;
            }
            try {
                Thread.sleep(LOOK_EVERY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
