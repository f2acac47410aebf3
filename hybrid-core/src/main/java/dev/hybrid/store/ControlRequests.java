package dev.hybrid.store;

import java.util.Objects;
import java.util.Optional;

/** Checks shared by the stores' {@code requestControl}. */
final class ControlRequests {
    private ControlRequests() {
    }

    /**
     * Checks a control request's arguments against the stored experiment's id (empty when none is stored).
     *
     * @throws IllegalArgumentException if the id is not the stored experiment's, or the source is blank
     * @throws IllegalStateException if no experiment is stored
     */
    static void check(String experimentId, ControlRequest request, String source, Optional<String> storedId) {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(request, "request");
        if (Objects.requireNonNull(source, "source").isBlank()) {
            throw new IllegalArgumentException("source must not be blank");
        }
        if (storedId.isEmpty()) {
            throw new IllegalStateException("experiment " + experimentId + " is not running (nothing is stored yet)");
        }
        if (!storedId.get().equals(experimentId)) {
            throw new IllegalArgumentException("this store holds experiment " + storedId.get() + ", not "
                    + experimentId);
        }
    }
}
