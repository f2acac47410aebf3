package dev.hybrid.platform.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the Slurm platform runs trials.
 *
 * @param experimentId {@code NNI_EXP_ID} and the jobs' name ({@code hybrid-<experimentId>}); an experiment replaces it
 *     with its own id when it is built with the platform
 * @param experimentDir the experiment's directory on this machine; used as the shared folder when
 *     {@code sharedDirectory} is empty; an experiment replaces it with its own
 * @param sharedDirectory a folder this machine and the compute nodes both see: the experiment's code, parameters and
 *     results go to {@code <sharedDirectory>/<experimentId>/}; empty means the experiment's directory itself
 * @param command the trial command, run by {@code bash -c} in the job
 * @param codeDir the trial code directory on this machine, copied to the shared folder's {@code nni-code/}
 * @param maxConcurrentTrials how many of the experiment's jobs may be queued or running at once
 * @param resources what each job asks Slurm for
 * @param pythonPath a folder put first on the jobs' {@code PATH} (NNI's {@code pythonPath})
 * @param commandEnvironment extra environment variables for the Slurm commands ({@code SLURM_CONF})
 * @param pollInterval how often one {@code squeue} asks for all the experiment's jobs and their folders are read
 * @param reuseMode whether trials run in pilot jobs, up to {@code maxConcurrentTrials} allocations that each run trial
 *     after trial; {@code resources} are then each allocation's ({@code timeLimit} its time limit)
 */
public record SlurmPlatformOptions(String experimentId, Path experimentDir, Optional<Path> sharedDirectory,
        String command, Path codeDir, int maxConcurrentTrials, SlurmJobResources resources,
        Optional<String> pythonPath, Map<String, String> commandEnvironment, Duration pollInterval,
        boolean reuseMode) {

    public SlurmPlatformOptions {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(experimentDir, "experimentDir");
        Objects.requireNonNull(sharedDirectory, "sharedDirectory");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(codeDir, "codeDir");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(pythonPath, "pythonPath");
        commandEnvironment = Map.copyOf(commandEnvironment);
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (maxConcurrentTrials < 1) {
            throw new IllegalArgumentException("maxConcurrentTrials must be >= 1, was " + maxConcurrentTrials);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
    }

    /**
     * Options with the cluster's default resources, a poll every 500 ms, and the experiment's directory as the shared
     * folder; the experiment gives the platform its id and directory when it is built.
     */
    public static SlurmPlatformOptions of(String command, Path codeDir, int maxConcurrentTrials) {
        return new SlurmPlatformOptions("slurm", Path.of(System.getProperty("java.io.tmpdir"), "hybrid-experiments",
                "slurm"), Optional.empty(), command, codeDir, maxConcurrentTrials, SlurmJobResources.defaults(),
                Optional.empty(), Map.of(), Duration.ofMillis(500), false);
    }

    /** The folder of this experiment that the compute nodes see. */
    public Path experimentFolder() {
        return sharedDirectory.map(d -> d.resolve(experimentId)).orElse(experimentDir);
    }

    /** The name of every job of this experiment. */
    public String jobName() {
        return "hybrid-" + experimentId;
    }

    /** These options for another experiment id and directory. */
    public SlurmPlatformOptions withExperiment(String id, Path dir) {
        return new SlurmPlatformOptions(id, dir, sharedDirectory, command, codeDir, maxConcurrentTrials, resources,
                pythonPath, commandEnvironment, pollInterval, reuseMode);
    }

    /** These options with a shared directory. */
    public SlurmPlatformOptions withSharedDirectory(Path dir) {
        return new SlurmPlatformOptions(experimentId, experimentDir, Optional.of(dir), command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, pollInterval, reuseMode);
    }

    /** These options with other job resources. */
    public SlurmPlatformOptions withResources(SlurmJobResources r) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, r, pythonPath, commandEnvironment, pollInterval, reuseMode);
    }

    /** These options in reuse mode (pilot jobs) or not. */
    public SlurmPlatformOptions withReuseMode(boolean reuse) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, pollInterval, reuse);
    }

    /** These options with extra environment variables for the Slurm commands. */
    public SlurmPlatformOptions withCommandEnvironment(Map<String, String> env) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, env, pollInterval, reuseMode);
    }

    /** These options with another poll interval. */
    public SlurmPlatformOptions withPollInterval(Duration every) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, every, reuseMode);
    }

    /** These options with a Python folder first on the jobs' {@code PATH}. */
    public SlurmPlatformOptions withPythonPath(String folder) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, Optional.of(folder), commandEnvironment, pollInterval, reuseMode);
    }
}
