package dev.hybrid.platform.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the local platform runs trials.
 *
 * @param experimentId {@code NNI_EXP_ID}
 * @param experimentDir the experiment's directory; trials go to {@code <experimentDir>/trials/<trialId>/}
 * @param command the trial command, run by {@code bash -c} (NNI's {@code trial.command})
 * @param codeDir the trial code directory, the command's working directory and {@code NNI_CODE_DIR}
 * @param maxConcurrentTrials how many trials may run at once
 * @param gpuNumber NNI's {@code gpuNum}/{@code trialGpuNumber}: empty when unset; 0 sets {@code CUDA_VISIBLE_DEVICES=-1}
 * @param cancelGracePeriod how long a cancelled trial has between SIGTERM and SIGKILL
 * @param pollInterval how often growing metric and output files are read (at most 50 ms)
 * @param environment extra environment variables for every trial
 * @param gpuIndices the GPUs trials may be given ({@code gpuIndices}); empty means 0, 1, 2, ...
 */
public record LocalPlatformOptions(String experimentId, Path experimentDir, String command, Path codeDir,
        int maxConcurrentTrials, Optional<Integer> gpuNumber, Duration cancelGracePeriod, Duration pollInterval,
        Map<String, String> environment, Optional<java.util.List<Integer>> gpuIndices) {

    public LocalPlatformOptions {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(codeDir, "codeDir");
        Objects.requireNonNull(gpuNumber, "gpuNumber");
        Objects.requireNonNull(cancelGracePeriod, "cancelGracePeriod");
        Objects.requireNonNull(pollInterval, "pollInterval");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(gpuIndices, "gpuIndices");
        gpuIndices = gpuIndices.map(java.util.List::copyOf);
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (maxConcurrentTrials < 1) {
            throw new IllegalArgumentException("maxConcurrentTrials must be >= 1, was " + maxConcurrentTrials);
        }
        if (cancelGracePeriod.isNegative()) {
            throw new IllegalArgumentException("cancelGracePeriod must not be negative, was " + cancelGracePeriod);
        }
        if (pollInterval.isNegative() || pollInterval.isZero() || pollInterval.toMillis() > 50) {
            throw new IllegalArgumentException("pollInterval must be in (0, 50 ms], was " + pollInterval);
        }
    }

    /** Options with NNI's defaults: no GPU setting, 5 s grace, 10 ms polling, no extra environment. */
    public static LocalPlatformOptions of(String experimentId, Path experimentDir, String command, Path codeDir,
            int maxConcurrentTrials) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials,
                Optional.empty(), Duration.ofSeconds(5), Duration.ofMillis(10), Map.of(), Optional.empty());
    }

    /** These options with another cancel grace period. */
    public LocalPlatformOptions withCancelGracePeriod(Duration grace) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                grace, pollInterval, environment, gpuIndices);
    }

    /** These options with another command. */
    public LocalPlatformOptions withCommand(String newCommand) {
        return new LocalPlatformOptions(experimentId, experimentDir, newCommand, codeDir, maxConcurrentTrials,
                gpuNumber, cancelGracePeriod, pollInterval, environment, gpuIndices);
    }

    /** These options with extra environment variables. */
    public LocalPlatformOptions withEnvironment(Map<String, String> env) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                cancelGracePeriod, pollInterval, env, gpuIndices);
    }

    /** These options with a GPU number. */
    public LocalPlatformOptions withGpuNumber(int gpus) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials,
                Optional.of(gpus), cancelGracePeriod, pollInterval, environment, gpuIndices);
    }

    /** These options with the GPUs trials may be given. */
    public LocalPlatformOptions withGpuIndices(Optional<java.util.List<Integer>> indices) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                cancelGracePeriod, pollInterval, environment, indices);
    }
}
