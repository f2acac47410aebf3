package dev.hybrid.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A control request as the store keeps it, with its outcome once the running experiment handled it.
 *
 * @param id the request's id, as {@link ExperimentStore#requestControl} returned it
 * @param request what was asked
 * @param source who asked: {@code "api"}, {@code "dashboard"}, {@code "cli"}, ...
 * @param requested when it was asked
 * @param state whether it is still waiting, was applied or was refused
 * @param handled when the experiment handled it; empty while pending
 * @param reason why it was refused; empty unless refused
 */
public record ControlResult(long id, ControlRequest request, String source, Instant requested, State state,
        Optional<Instant> handled, Optional<String> reason) {

    /** Where a control request stands. */
    public enum State {
        /** Not handled yet. */
        PENDING,
        /** The experiment applied it. */
        APPLIED,
        /** The experiment refused it, or ended before it could apply it; {@code reason} says which. */
        REFUSED
    }

    public ControlResult {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(handled, "handled");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether the experiment has handled it (applied or refused). */
    public boolean isHandled() {
        return state != State.PENDING;
    }
}
