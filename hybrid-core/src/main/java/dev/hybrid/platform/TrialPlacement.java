package dev.hybrid.platform;

import dev.hybrid.trial.TrialId;
import java.util.Optional;

/**
 * An optional capability of a platform that runs trials on other platforms (such as {@link HybridPlatform}): which
 * one runs a trial. The experiment records that name in the trial's snapshot instead of the composite's own name.
 */
public interface TrialPlacement {
    /** The name of the platform that runs (or ran) {@code trial}, once it has been placed. */
    Optional<String> platformOf(TrialId trial);
}
