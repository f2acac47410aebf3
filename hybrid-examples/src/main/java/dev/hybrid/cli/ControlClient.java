package dev.hybrid.cli;

import dev.hybrid.store.ControlRequest;
import dev.hybrid.store.ControlResult;
import dev.hybrid.store.SqliteExperimentStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Hands control requests to an experiment that another process runs, through its store's control requests, and
 * waits for the outcome the experiment records: what {@code hybrid update}, {@code hybrid stop} and
 * {@code hybrid cancel} share.
 */
final class ControlClient {
    /** How long to wait for the running experiment to handle a request (it looks twice a second). */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    /** How often to look for the answer: it is written by another process, so there is nothing to block on. */
    private static final long LOOK_EVERY_MILLIS = 100;

    private final Path experimentDir;
    private final String id;
    private final PrintStream err;

    ControlClient(Path experimentDir, String id, PrintStream err) {
        this.experimentDir = experimentDir;
        this.id = id;
        this.err = err;
    }

    /**
     * Sends {@code request} and waits for its outcome: empty once applied, else the one-line error printed (not
     * running, refused with its reason, no answer in time).
     */
    Optional<String> send(ControlRequest request, String hint) throws InterruptedException {
        long requestId;
        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
            store.open();
            if (!store.isRunning()) {
                String status = store.experiment().map(e -> e.status().isFinished() ? " (it ended " + e.status()
                        + ")" : " (its process died)").orElse("");
                return fail("experiment " + id + " is not running" + status + hint);
            }
            requestId = store.requestControl(id, request, "cli");
        } catch (IllegalStateException e) {
            return fail(e.getMessage() + hint); // it ended between the check and the request
        }
        long deadline = System.nanoTime() + ANSWER_WITHIN.toNanos();
        while (true) {
            try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
                store.open();
                Optional<ControlResult> result = store.controlResult(requestId);
                if (result.isPresent() && result.get().state() == ControlResult.State.APPLIED) {
                    return Optional.empty();
                }
                if (result.isPresent() && result.get().state() == ControlResult.State.REFUSED) {
                    return fail("experiment " + id + " refused " + request.kind() + ": "
                            + result.get().reason().orElse("no reason given"));
                }
                if (!store.isRunning()) {
                    return fail("experiment " + id + " ended before it applied " + request.kind());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                return fail("experiment " + id + " did not answer within " + ANSWER_WITHIN.toSeconds()
                        + " s; its request " + requestId + " is still pending");
            }
            Thread.sleep(LOOK_EVERY_MILLIS);
        }
    }

    /** Waits up to {@code wait} for the process running the experiment to let it go; whether it did. */
    boolean awaitEnd(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (SqliteExperimentStore.isInUse(experimentDir)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(LOOK_EVERY_MILLIS);
        }
        return true;
    }

    private Optional<String> fail(String message) {
        err.println("hybrid: " + message);
        return Optional.of(message);
    }
}
