package dev.hybrid.platform.remote;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the remote platform runs trials.
 *
 * @param experimentId {@code NNI_EXP_ID}; each machine keeps the experiment under
 *     {@code <remoteDirectory>/<experimentId>/}
 * @param command the trial command, run by {@code bash -c} in the trial's copy of the code
 * @param codeDir the trial code directory on this machine, packed (honouring {@code .nniignore}) and uploaded once per
 *     machine
 * @param machines the machines, at least one
 * @param gpuNumber NNI's {@code trialGpuNumber}: empty when unset; 0 sets {@code CUDA_VISIBLE_DEVICES=-1}; above 0,
 *     each machine's GPUs are read with {@code nvidiaSmi} and each trial gets that many GPUs of its own
 * @param knownHostsFile the {@code known_hosts} file host keys are checked against
 * @param hostKeyPolicy how host keys are checked
 * @param connectTimeout how long one connection attempt may take
 * @param keepAliveInterval how often an idle connection is probed; three missed answers count as a drop
 * @param reconnectBackoff the first wait before reconnecting; it doubles up to {@code maxReconnectBackoff}
 * @param maxReconnectBackoff the longest wait between reconnection attempts
 * @param machineLostAfter how long a machine may stay unreachable before the trials running there end
 *     {@code SYS_CANCELED}
 * @param cancelGracePeriod how long a cancelled trial has between SIGTERM and SIGKILL
 * @param pollInterval how often the machine checks its running trials' files (at most 200 ms) after a change or a
 *     command; once nothing has changed for a second the interval doubles up to half a second, so quiet trials
 *     cost almost no CPU
 * @param environment extra environment variables for every trial
 * @param nvidiaSmi the command (a name on the machine's {@code PATH}, or a path there) that reads each machine's GPUs
 *     when trials need GPUs ({@code gpuNumber} > 0); {@code nvidia-smi} by default
 */
public record RemotePlatformOptions(String experimentId, String command, Path codeDir, List<RemoteMachine> machines,
        Optional<Integer> gpuNumber, Path knownHostsFile, HostKeyPolicy hostKeyPolicy, Duration connectTimeout,
        Duration keepAliveInterval, Duration reconnectBackoff, Duration maxReconnectBackoff,
        Duration machineLostAfter, Duration cancelGracePeriod, Duration pollInterval,
        Map<String, String> environment, String nvidiaSmi) {

    public RemotePlatformOptions {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(codeDir, "codeDir");
        machines = List.copyOf(machines);
        Objects.requireNonNull(gpuNumber, "gpuNumber");
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        positive(connectTimeout, "connectTimeout");
        positive(keepAliveInterval, "keepAliveInterval");
        positive(reconnectBackoff, "reconnectBackoff");
        positive(maxReconnectBackoff, "maxReconnectBackoff");
        positive(machineLostAfter, "machineLostAfter");
        Objects.requireNonNull(cancelGracePeriod, "cancelGracePeriod");
        positive(pollInterval, "pollInterval");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(nvidiaSmi, "nvidiaSmi");
        if (nvidiaSmi.isBlank()) {
            throw new IllegalArgumentException("nvidiaSmi must not be blank");
        }
        if (!experimentId.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("experimentId must hold only letters, digits and ._-, was '"
                    + experimentId + "'");
        }
        if (command.isBlank()) {
            throw new IllegalArgumentException("command must not be blank");
        }
        if (machines.isEmpty()) {
            throw new IllegalArgumentException("machines must not be empty");
        }
        if (cancelGracePeriod.isNegative()) {
            throw new IllegalArgumentException("cancelGracePeriod must not be negative, was " + cancelGracePeriod);
        }
        if (pollInterval.toMillis() > 200) {
            throw new IllegalArgumentException("pollInterval must be at most 200 ms, was " + pollInterval);
        }
        for (String k : environment.keySet()) {
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("environment variable names must be shell names, was '" + k + "'");
            }
        }
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    /** The default {@code known_hosts}: {@code ~/.ssh/known_hosts}. */
    public static Path defaultKnownHostsFile() {
        return Path.of(System.getProperty("user.home"), ".ssh", "known_hosts");
    }

    /**
     * Options with the defaults: {@code ~/.ssh/known_hosts} with {@code accept-new}, 10 s to connect, keep-alive
     * every 5 s, reconnection after 200 ms doubling up to 10 s, a machine lost after 5 minutes, 5 s grace on cancel,
     * 20 ms polling, no GPU setting, no extra environment, GPUs read with {@code nvidia-smi}.
     */
    public static RemotePlatformOptions of(String experimentId, String command, Path codeDir,
            List<RemoteMachine> machines) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, Optional.empty(),
                defaultKnownHostsFile(), HostKeyPolicy.ACCEPT_NEW, Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofMillis(20), Map.of(), "nvidia-smi");
    }

    /**
     * Options with the defaults of {@link #of(String, String, Path, List)}, for a platform built in code and passed to
     * {@code Experiment.builder().platform(...)}: the experiment gives the platform its id when it is built. Used on its
     * own, the platform keeps trials under {@code <remoteDirectory>/remote/}.
     */
    public static RemotePlatformOptions of(String command, Path codeDir, List<RemoteMachine> machines) {
        return of("remote", command, codeDir, machines);
    }

    /** These options for another experiment id. */
    public RemotePlatformOptions withExperimentId(String newExperimentId) {
        return new RemotePlatformOptions(newExperimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options checking host keys against {@code file} under {@code policy}. */
    public RemotePlatformOptions withHostKeys(Path file, HostKeyPolicy policy) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, file, policy,
                connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff, machineLostAfter,
                cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options with another connect timeout. */
    public RemotePlatformOptions withConnectTimeout(Duration timeout) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, timeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff, machineLostAfter,
                cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options with other reconnection waits and another time after which an unreachable machine is lost. */
    public RemotePlatformOptions withReconnect(Duration backoff, Duration maxBackoff, Duration lostAfter) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, backoff, maxBackoff, lostAfter,
                cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options with another trial command. */
    public RemotePlatformOptions withCommand(String newCommand) {
        return new RemotePlatformOptions(experimentId, newCommand, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options with another cancel grace period. */
    public RemotePlatformOptions withCancelGracePeriod(Duration grace) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, grace, pollInterval, environment, nvidiaSmi);
    }

    /** These options with a GPU number. */
    public RemotePlatformOptions withGpuNumber(int gpus) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, Optional.of(gpus), knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options with extra environment variables. */
    public RemotePlatformOptions withEnvironment(Map<String, String> env) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, pollInterval, env, nvidiaSmi);
    }

    /** These options with another polling interval. */
    public RemotePlatformOptions withPollInterval(Duration interval) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, interval, environment, nvidiaSmi);
    }

    /** These options with another keep-alive interval. */
    public RemotePlatformOptions withKeepAliveInterval(Duration interval) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, interval, reconnectBackoff, maxReconnectBackoff, machineLostAfter,
                cancelGracePeriod, pollInterval, environment, nvidiaSmi);
    }

    /** These options reading machines' GPUs with {@code command} (a name on the machine's {@code PATH} or a path). */
    public RemotePlatformOptions withNvidiaSmi(String nvidiaSmiCommand) {
        return new RemotePlatformOptions(experimentId, command, codeDir, machines, gpuNumber, knownHostsFile,
                hostKeyPolicy, connectTimeout, keepAliveInterval, reconnectBackoff, maxReconnectBackoff,
                machineLostAfter, cancelGracePeriod, pollInterval, environment, nvidiaSmiCommand);
    }
}
