package dev.hybrid.platform.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the local platform runs trials.
 *
 * @param experimentId {@code NNI_EXP_ID}; an experiment replaces it with its own id when it is built with the platform
 * @param experimentDir the experiment's directory; trials go to {@code <experimentDir>/trials/<trialId>/}; an
 *     experiment replaces it with its own directory when it is built with the platform
 * @param command the trial command, run by {@code bash -c} (NNI's {@code trial.command})
 * @param codeDir the trial code directory, the command's working directory and {@code NNI_CODE_DIR}
 * @param maxConcurrentTrials how many trials may run at once
 * @param gpuNumber NNI's {@code gpuNum}/{@code trialGpuNumber}: empty when unset; 0 sets {@code CUDA_VISIBLE_DEVICES=-1};
 *     more than 0 makes the platform schedule this machine's GPUs (found with {@code nvidia-smi})
 * @param cancelGracePeriod how long a cancelled trial has between SIGTERM and SIGKILL
 * @param pollInterval how often growing metric and output files are read (at most 50 ms)
 * @param environment extra environment variables for every trial
 * @param gpus how GPUs are shared among trials
 */
public record LocalPlatformOptions(String experimentId, Path experimentDir, String command, Path codeDir,
        int maxConcurrentTrials, Optional<Integer> gpuNumber, Duration cancelGracePeriod, Duration pollInterval,
        Map<String, String> environment, Gpus gpus) {

    /**
     * The GPU settings of NNI's {@code localConfig} (v1) or local {@code trainingService} entry (v2).
     *
     * @param indices {@code gpuIndices}: the GPUs trials may use; empty means all
     * @param maxTrialsPerGpu {@code maxTrialNumPerGpu}: how many trials may share one GPU
     * @param useActiveGpu {@code useActiveGpu}: whether a GPU busy with other processes may be used
     * @param nvidiaSmi the {@code nvidia-smi} command to ask for GPUs
     */
    public record Gpus(Optional<List<Integer>> indices, int maxTrialsPerGpu, boolean useActiveGpu, String nvidiaSmi) {
        public Gpus {
            Objects.requireNonNull(indices, "indices");
            indices = indices.map(List::copyOf);
            Objects.requireNonNull(nvidiaSmi, "nvidiaSmi");
            if (maxTrialsPerGpu < 1) {
                throw new IllegalArgumentException("maxTrialsPerGpu must be >= 1, was " + maxTrialsPerGpu);
            }
        }

        /** NNI's defaults: every GPU, one trial each, idle GPUs only, {@code nvidia-smi} from the PATH. */
        public static Gpus defaults() {
            return new Gpus(Optional.empty(), 1, false, "nvidia-smi");
        }
    }

    public LocalPlatformOptions {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(codeDir, "codeDir");
        Objects.requireNonNull(gpuNumber, "gpuNumber");
        Objects.requireNonNull(cancelGracePeriod, "cancelGracePeriod");
        Objects.requireNonNull(pollInterval, "pollInterval");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(gpus, "gpus");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (maxConcurrentTrials < 1) {
            throw new IllegalArgumentException("maxConcurrentTrials must be >= 1, was " + maxConcurrentTrials);
        }
        if (gpuNumber.isPresent() && gpuNumber.get() < 0) {
            throw new IllegalArgumentException("gpuNumber must be >= 0, was " + gpuNumber.get());
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
                Optional.empty(), Duration.ofSeconds(5), Duration.ofMillis(10), Map.of(), Gpus.defaults());
    }

    /**
     * Options for a platform built in code and passed to {@code Experiment.builder().platform(...)}, with NNI's
     * defaults: the experiment gives the platform its id and directory when it is built, so they are not repeated here.
     * Used on its own, the platform puts trials under {@code <java.io.tmpdir>/hybrid-experiments/local/}.
     */
    public static LocalPlatformOptions of(String command, Path codeDir, int maxConcurrentTrials) {
        return of("local", Path.of(System.getProperty("java.io.tmpdir"), "hybrid-experiments", "local"), command,
                codeDir, maxConcurrentTrials);
    }

    /** These options for another experiment id and directory. */
    public LocalPlatformOptions withExperiment(String newExperimentId, Path newExperimentDir) {
        return new LocalPlatformOptions(newExperimentId, newExperimentDir, command, codeDir, maxConcurrentTrials,
                gpuNumber, cancelGracePeriod, pollInterval, environment, gpus);
    }

    /** These options with another number of trials run at once. */
    public LocalPlatformOptions withMaxConcurrentTrials(int max) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, max, gpuNumber,
                cancelGracePeriod, pollInterval, environment, gpus);
    }

    /** These options with another cancel grace period. */
    public LocalPlatformOptions withCancelGracePeriod(Duration grace) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                grace, pollInterval, environment, gpus);
    }

    /** These options with another command. */
    public LocalPlatformOptions withCommand(String newCommand) {
        return new LocalPlatformOptions(experimentId, experimentDir, newCommand, codeDir, maxConcurrentTrials,
                gpuNumber, cancelGracePeriod, pollInterval, environment, gpus);
    }

    /** These options with extra environment variables. */
    public LocalPlatformOptions withEnvironment(Map<String, String> env) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                cancelGracePeriod, pollInterval, env, gpus);
    }

    /** These options with a number of GPUs per trial. */
    public LocalPlatformOptions withGpuNumber(int perTrial) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials,
                Optional.of(perTrial), cancelGracePeriod, pollInterval, environment, gpus);
    }

    /** These options with other GPU settings. */
    public LocalPlatformOptions withGpus(Gpus settings) {
        return new LocalPlatformOptions(experimentId, experimentDir, command, codeDir, maxConcurrentTrials, gpuNumber,
                cancelGracePeriod, pollInterval, environment, settings);
    }
}
