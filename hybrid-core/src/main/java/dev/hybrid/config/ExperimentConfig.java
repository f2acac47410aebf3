package dev.hybrid.config;

import dev.hybrid.space.SearchSpace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole experiment's configuration, loaded once from NNI YAML (v1 or v2) by {@link ConfigLoader} and validated;
 * immutable. Budgets that are empty are unlimited.
 *
 * @param version the format it was written in, 1 or 2
 * @param experimentName {@code experimentName}
 * @param searchSpace the parsed search space (from {@code searchSpacePath}, {@code searchSpaceFile} or inline)
 * @param tuner the tuner, unless an advisor is configured
 * @param assessor the assessor, if any
 * @param advisor the advisor, if any (then there is no tuner)
 * @param trialConcurrency {@code trialConcurrency}
 * @param maxTrialNumber {@code maxTrialNum} / {@code maxTrialNumber}
 * @param maxExperimentDuration {@code maxExecDuration} / {@code maxExperimentDuration}
 * @param maxTrialDuration {@code maxTrialDuration} (v2 only, as in NNI)
 * @param deadlineGrace {@code deadlineGrace} (a Hybrid extension): how long trials still running at the experiment's
 *     deadline may go on before they are cancelled
 * @param trial the trial command, code directory and GPU need
 * @param trainingServices one platform, or several for hybrid mode
 * @param hybrid how several platforms share the trials (dispatch policy, per-platform caps and weights)
 * @param experimentWorkingDirectory {@code logDir} / {@code experimentWorkingDirectory}
 * @param configFile the file it was loaded from, if any
 */
public record ExperimentConfig(
        int version,
        Optional<String> experimentName,
        SearchSpace searchSpace,
        Optional<AlgorithmConfig> tuner,
        Optional<AlgorithmConfig> assessor,
        Optional<AlgorithmConfig> advisor,
        int trialConcurrency,
        Optional<Integer> maxTrialNumber,
        Optional<Duration> maxExperimentDuration,
        Optional<Duration> maxTrialDuration,
        Optional<Duration> deadlineGrace,
        TrialConfig trial,
        List<PlatformConfig> trainingServices,
        HybridSettings hybrid,
        Optional<Path> experimentWorkingDirectory,
        Optional<Path> configFile) {

    public ExperimentConfig {
        Objects.requireNonNull(experimentName, "experimentName");
        Objects.requireNonNull(searchSpace, "searchSpace");
        Objects.requireNonNull(tuner, "tuner");
        Objects.requireNonNull(assessor, "assessor");
        Objects.requireNonNull(advisor, "advisor");
        Objects.requireNonNull(maxTrialNumber, "maxTrialNumber");
        Objects.requireNonNull(maxExperimentDuration, "maxExperimentDuration");
        Objects.requireNonNull(maxTrialDuration, "maxTrialDuration");
        Objects.requireNonNull(deadlineGrace, "deadlineGrace");
        Objects.requireNonNull(trial, "trial");
        trainingServices = List.copyOf(trainingServices);
        Objects.requireNonNull(hybrid, "hybrid");
        if (hybrid.children().size() != trainingServices.size()) {
            throw new IllegalArgumentException("hybrid settings need one entry per training service");
        }
        Objects.requireNonNull(experimentWorkingDirectory, "experimentWorkingDirectory");
        Objects.requireNonNull(configFile, "configFile");
        if (trainingServices.isEmpty()) {
            throw new IllegalArgumentException("at least one training service is needed");
        }
        if (tuner.isEmpty() == advisor.isEmpty()) {
            throw new IllegalArgumentException("exactly one of tuner and advisor is needed");
        }
    }

    /** Whether trials run on several platforms at once. */
    public boolean isHybrid() {
        return trainingServices.size() > 1;
    }
}
