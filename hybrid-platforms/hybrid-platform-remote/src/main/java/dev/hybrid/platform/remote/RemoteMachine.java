package dev.hybrid.platform.remote;

import dev.hybrid.config.Secret;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One machine of a {@code machineList}: where it is, how to log in, and how many trials it takes.
 *
 * @param host the host name or address (v1 {@code ip}, v2 {@code host})
 * @param port the SSH port (22 by default)
 * @param user the login (v1 {@code username}, v2 {@code user})
 * @param password the password (v1 {@code passwd}, v2 {@code password}); tried before a key when both are set
 * @param keyFile the private key (v1 {@code sshKeyPath}, v2 {@code sshKeyFile})
 * @param passphrase the key's passphrase (v1 {@code passphrase}, v2 {@code sshPassphrase})
 * @param gpuIndices the GPUs trials may use ({@code gpuIndices}); empty means not set
 * @param maxTrialsPerGpu how many trials may share one GPU (v1 {@code maxTrialNumPerGpu}, v2
 *     {@code maxTrialNumberPerGpu})
 * @param useActiveGpu whether GPUs that {@code nvidia-smi} shows busy with other processes may be used
 *     ({@code useActiveGpu})
 * @param pythonPath prepended to the trial's {@code PATH} ({@code pythonPath}), as NNI does
 * @param preCommand a shell command run before each trial's command (v2.0's {@code preCommand} /
 *     {@code trialPrepareCommand})
 * @param maxConcurrentTrials how many trials may run on it at once; when not set, 1 for trials without GPUs, and for
 *     GPU trials as many as its GPUs take ({@code gpuIndices × maxTrialsPerGpu ÷ trialGpuNumber} at most)
 * @param remoteDirectory the absolute folder under which each experiment gets {@code <experimentId>/}
 *     ({@code /tmp/hybrid-experiments} by default)
 */
public record RemoteMachine(String host, int port, String user, Optional<Secret> password, Optional<Path> keyFile,
        Optional<Secret> passphrase, Optional<List<Integer>> gpuIndices, int maxTrialsPerGpu, boolean useActiveGpu,
        Optional<String> pythonPath, Optional<String> preCommand, Optional<Integer> maxConcurrentTrials,
        String remoteDirectory) {

    /** Where experiments go on a machine unless {@code remoteDirectory} says otherwise. */
    public static final String DEFAULT_REMOTE_DIRECTORY = "/tmp/hybrid-experiments";

    public RemoteMachine {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(keyFile, "keyFile");
        Objects.requireNonNull(passphrase, "passphrase");
        Objects.requireNonNull(gpuIndices, "gpuIndices");
        gpuIndices = gpuIndices.map(List::copyOf);
        Objects.requireNonNull(pythonPath, "pythonPath");
        Objects.requireNonNull(preCommand, "preCommand");
        Objects.requireNonNull(maxConcurrentTrials, "maxConcurrentTrials");
        Objects.requireNonNull(remoteDirectory, "remoteDirectory");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (user.isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535, was " + port);
        }
        if (password.isEmpty() && keyFile.isEmpty()) {
            throw new IllegalArgumentException("a password or a key file is needed for " + user + "@" + host);
        }
        if (maxTrialsPerGpu < 1) {
            throw new IllegalArgumentException("maxTrialsPerGpu must be >= 1, was " + maxTrialsPerGpu);
        }
        maxConcurrentTrials.filter(n -> n < 1).ifPresent(n -> {
            throw new IllegalArgumentException("maxConcurrentTrials must be >= 1, was " + n);
        });
        if (!remoteDirectory.startsWith("/") || !SAFE_PATH.matcher(remoteDirectory).matches()) {
            throw new IllegalArgumentException("remoteDirectory must be an absolute path of letters, digits and"
                    + " ._-/, was '" + remoteDirectory + "'");
        }
    }

    static final java.util.regex.Pattern SAFE_PATH = java.util.regex.Pattern.compile("[A-Za-z0-9_./-]+");

    /** A machine logged in to with a password, with NNI's defaults for everything else. */
    public static RemoteMachine withPassword(String host, int port, String user, Secret password) {
        return new RemoteMachine(host, port, user, Optional.of(password), Optional.empty(), Optional.empty(),
                Optional.empty(), 1, false, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_REMOTE_DIRECTORY);
    }

    /** A machine logged in to with a private key (without passphrase), with NNI's defaults for everything else. */
    public static RemoteMachine withKey(String host, int port, String user, Path keyFile) {
        return new RemoteMachine(host, port, user, Optional.empty(), Optional.of(keyFile), Optional.empty(),
                Optional.empty(), 1, false, Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_REMOTE_DIRECTORY);
    }

    /** This machine taking at most {@code n} trials at once. */
    public RemoteMachine withMaxConcurrentTrials(int n) {
        return new RemoteMachine(host, port, user, password, keyFile, passphrase, gpuIndices, maxTrialsPerGpu,
                useActiveGpu, pythonPath, preCommand, Optional.of(n), remoteDirectory);
    }

    /** This machine keeping experiments under {@code dir}. */
    public RemoteMachine withRemoteDirectory(String dir) {
        return new RemoteMachine(host, port, user, password, keyFile, passphrase, gpuIndices, maxTrialsPerGpu,
                useActiveGpu, pythonPath, preCommand, maxConcurrentTrials, dir);
    }

    /** This machine with {@code pythonPath} prepended to trials' {@code PATH}. */
    public RemoteMachine withPythonPath(String path) {
        return new RemoteMachine(host, port, user, password, keyFile, passphrase, gpuIndices, maxTrialsPerGpu,
                useActiveGpu, Optional.of(path), preCommand, maxConcurrentTrials, remoteDirectory);
    }

    /** This machine with GPUs {@code indices} shared by up to {@code perGpu} trials each. */
    public RemoteMachine withGpus(List<Integer> indices, int perGpu) {
        return new RemoteMachine(host, port, user, password, keyFile, passphrase, Optional.of(indices), perGpu,
                useActiveGpu, pythonPath, preCommand, maxConcurrentTrials, remoteDirectory);
    }

    /** This machine letting trials use GPUs that other processes are busy with ({@code useActiveGpu}), or not. */
    public RemoteMachine withUseActiveGpu(boolean use) {
        return new RemoteMachine(host, port, user, password, keyFile, passphrase, gpuIndices, maxTrialsPerGpu, use,
                pythonPath, preCommand, maxConcurrentTrials, remoteDirectory);
    }

    /** {@code host:port}, for messages. */
    public String address() {
        return host + ":" + port;
    }

    /**
     * How many trials needing {@code gpus} GPUs (empty: no GPU setting) may run here at once, as far as the settings
     * say. For GPU trials the GPUs that {@code nvidia-smi} finds free limit them further; without
     * {@code maxConcurrentTrials} and {@code gpuIndices} they are the only limit ({@link Integer#MAX_VALUE} here).
     */
    public int slots(Optional<Integer> gpus) {
        if (maxConcurrentTrials.isPresent()) {
            return maxConcurrentTrials.get();
        }
        if (gpus.isPresent() && gpus.get() > 0) {
            return gpuIndices.map(g -> g.size() * maxTrialsPerGpu / gpus.get()).orElse(Integer.MAX_VALUE);
        }
        return 1;
    }
}
