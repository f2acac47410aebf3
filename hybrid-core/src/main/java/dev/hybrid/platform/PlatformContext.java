package dev.hybrid.platform;

import dev.hybrid.config.TrialConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * What a platform built from a config needs besides its own settings.
 *
 * @param experimentId the experiment's id ({@code NNI_EXP_ID})
 * @param experimentDir the experiment's directory on this machine
 * @param trial the trial command, code directory and GPU need
 * @param trialConcurrency the experiment's {@code trialConcurrency}
 * @param clock the experiment's clock
 */
public record PlatformContext(String experimentId, Path experimentDir, TrialConfig trial, int trialConcurrency,
        Clock clock) {
    public PlatformContext {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(clock, "clock");
    }
}
