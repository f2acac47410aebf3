package dev.hybrid.platform;

import dev.hybrid.trial.TrialId;
import java.util.Optional;

/**
 * An optional capability of a platform that runs trials on machines it knows by address (such as the remote
 * platform): which machine runs a trial. The experiment records it with the trial's attempt; a platform that runs
 * trials on other platforms (such as {@link HybridPlatform}) asks the child that runs the trial.
 */
public interface TrialMachine {
    /** The {@code host:port} of the machine that runs (or ran) {@code trial}, never a user name or secret. */
    Optional<String> machineOf(TrialId trial);
}
