package dev.hybrid.platform;

import dev.hybrid.HybridException;
import dev.hybrid.trial.TrialId;
import java.util.Objects;
import java.util.Optional;

/** A platform could not do what it was asked. Names the platform and, where one is concerned, the trial. */
public class PlatformException extends HybridException {
    private final String platform;
    private final TrialId trial;
    private final boolean retryable;

    public PlatformException(String platform, String message, boolean retryable, Throwable cause) {
        this(platform, null, message, retryable, cause);
    }

    public PlatformException(String platform, TrialId trial, String message, boolean retryable, Throwable cause) {
        super(platform + (trial == null ? "" : " (trial " + trial + ")") + ": " + message, cause);
        this.platform = Objects.requireNonNull(platform, "platform");
        this.trial = trial;
        this.retryable = retryable;
    }

    public String platform() {
        return platform;
    }

    public Optional<TrialId> trial() {
        return Optional.ofNullable(trial);
    }

    /** Whether trying again later (or on another platform) may succeed. */
    public boolean isRetryable() {
        return retryable;
    }
}
