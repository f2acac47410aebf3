package dev.hybrid.platform.slurm;

import dev.hybrid.platform.slurm.internal.SlurmTime;
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
 * @param pilotRetirementMargin reuse mode: a pilot with less time left than this before its time limit takes no new
 *     trial and ends (another is requested if trials remain); empty means the larger of 2 minutes and 10% of the
 *     limit, at most half of it. Less than {@code timeLimit}; zero lets pilots run into their limit
 */
public record SlurmPlatformOptions(String experimentId, Path experimentDir, Optional<Path> sharedDirectory,
        String command, Path codeDir, int maxConcurrentTrials, SlurmJobResources resources,
        Optional<String> pythonPath, Map<String, String> commandEnvironment, Duration pollInterval,
        boolean reuseMode, Optional<Duration> pilotRetirementMargin) {
    /** The least default pilot retirement margin. */
    private static final Duration DEFAULT_MARGIN = Duration.ofMinutes(2);

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
        Objects.requireNonNull(pilotRetirementMargin, "pilotRetirementMargin");
        if (pilotRetirementMargin.isPresent()) {
            Duration margin = pilotRetirementMargin.get();
            if (margin.isNegative()) {
                throw new IllegalArgumentException("pilotRetirementMargin must not be negative, was " + margin);
            }
            resources.timeLimit().flatMap(SlurmTime::parse).filter(limit -> margin.compareTo(limit) >= 0)
                    .ifPresent(limit -> {
                        throw new IllegalArgumentException("pilotRetirementMargin must be less than timeLimit ("
                                + limit + "), was " + margin);
                    });
        }
    }

    /** Reuse mode: how long before {@code limit} (a pilot's time limit) a pilot takes no new trial and ends. */
    public Duration pilotRetirementMargin(Duration limit) {
        if (pilotRetirementMargin.isPresent()) {
            return pilotRetirementMargin.get();
        }
        Duration tenth = limit.dividedBy(10);
        Duration margin = tenth.compareTo(DEFAULT_MARGIN) > 0 ? tenth : DEFAULT_MARGIN;
        Duration half = limit.dividedBy(2);
        return margin.compareTo(half) > 0 ? half : margin;
    }

    /** These options with a pilot retirement margin (reuse mode). */
    public SlurmPlatformOptions withPilotRetirementMargin(Duration margin) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, pollInterval, reuseMode,
                Optional.of(margin));
    }

    /**
     * Options with the cluster's default resources, a poll every 500 ms, and the experiment's directory as the shared
     * folder; the experiment gives the platform its id and directory when it is built.
     */
    public static SlurmPlatformOptions of(String command, Path codeDir, int maxConcurrentTrials) {
        return new SlurmPlatformOptions("slurm", Path.of(System.getProperty("java.io.tmpdir"), "hybrid-experiments",
                "slurm"), Optional.empty(), command, codeDir, maxConcurrentTrials, SlurmJobResources.defaults(),
                Optional.empty(), Map.of(), Duration.ofMillis(500), false, Optional.empty());
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
                pythonPath, commandEnvironment, pollInterval, reuseMode,
                pilotRetirementMargin);
    }

    /** These options with a shared directory. */
    public SlurmPlatformOptions withSharedDirectory(Path dir) {
        return new SlurmPlatformOptions(experimentId, experimentDir, Optional.of(dir), command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, pollInterval, reuseMode,
                pilotRetirementMargin);
    }

    /** These options with other job resources. */
    public SlurmPlatformOptions withResources(SlurmJobResources r) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, r, pythonPath, commandEnvironment, pollInterval, reuseMode,
                pilotRetirementMargin);
    }

    /** These options in reuse mode (pilot jobs) or not. */
    public SlurmPlatformOptions withReuseMode(boolean reuse) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, pollInterval, reuse,
                pilotRetirementMargin);
    }

    /** These options with extra environment variables for the Slurm commands. */
    public SlurmPlatformOptions withCommandEnvironment(Map<String, String> env) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, env, pollInterval, reuseMode,
                pilotRetirementMargin);
    }

    /** These options with another poll interval. */
    public SlurmPlatformOptions withPollInterval(Duration every) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, pythonPath, commandEnvironment, every, reuseMode,
                pilotRetirementMargin);
    }

    /** These options with a Python folder first on the jobs' {@code PATH}. */
    public SlurmPlatformOptions withPythonPath(String folder) {
        return new SlurmPlatformOptions(experimentId, experimentDir, sharedDirectory, command, codeDir,
                maxConcurrentTrials, resources, Optional.of(folder), commandEnvironment, pollInterval, reuseMode,
                pilotRetirementMargin);
    }
}
