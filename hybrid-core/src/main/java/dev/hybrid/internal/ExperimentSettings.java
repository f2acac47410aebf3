package dev.hybrid.internal;

import dev.hybrid.ExperimentListener;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.store.ExperimentStore;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Tuner;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything one experiment runs with, validated by the builder. {@code maxTrialNumber} is
 * {@link Integer#MAX_VALUE} when unlimited. {@code maxTrialDuration} is the longest a trial may run, {@code deadlineGrace} how long trials still running at
 * {@code maxExecDuration} may go on before they are cancelled. {@code ownsPlatform} says whether the builder created the platform, {@code ownsStore} whether the experiment
 * closes the store, {@code resume} whether the store holds the experiment already (it is resumed), and
 * {@code configJson} is the settings as JSON, as the store keeps them.
 */
public record ExperimentSettings(
        String experimentId,
        Optional<String> name,
        SearchSpace searchSpace,
        Tuner tuner,
        Optional<dev.hybrid.assessor.Assessor> assessor,
        boolean includeIntermediateResults,
        OptimizeMode optimizeMode,
        long seed,
        int trialConcurrency,
        int maxTrialNumber,
        Optional<Duration> maxExecDuration,
        Optional<Duration> maxTrialDuration,
        Duration deadlineGrace,
        Optional<Path> workingDirectory,
        List<ExperimentListener> listeners,
        TrainingPlatform platform,
        boolean ownsPlatform,
        Clock clock,
        Optional<ScheduledExecutorService> scheduler,
        ExperimentStore store,
        boolean ownsStore,
        boolean resume,
        String configJson) {

    public ExperimentSettings {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(searchSpace, "searchSpace");
        Objects.requireNonNull(tuner, "tuner");
        Objects.requireNonNull(assessor, "assessor");
        Objects.requireNonNull(optimizeMode, "optimizeMode");
        Objects.requireNonNull(maxExecDuration, "maxExecDuration");
        Objects.requireNonNull(maxTrialDuration, "maxTrialDuration");
        Objects.requireNonNull(deadlineGrace, "deadlineGrace");
        Objects.requireNonNull(workingDirectory, "workingDirectory");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(configJson, "configJson");
    }
}
