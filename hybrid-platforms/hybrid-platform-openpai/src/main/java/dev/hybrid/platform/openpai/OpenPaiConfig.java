package dev.hybrid.platform.openpai;

import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.config.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenPAI platform's settings: a v1 config's {@code paiConfig} with the trial's PAI keys, or a v2
 * {@code trainingService} entry with {@code platform: openpai}. Its {@code toString()} shows the token as {@code ****}.
 *
 * @param path where the settings are in the config
 * @param host the cluster's base URL ({@code host}; {@code https://} when it was given without a scheme)
 * @param user the OpenPAI user name ({@code userName} / {@code username})
 * @param token the user's token, sent as {@code Authorization: Bearer}
 * @param dockerImage the trial container's image ({@code image} / {@code dockerImage})
 * @param cpu CPUs per trial ({@code cpuNum} / {@code trialCpuNumber})
 * @param memoryMb memory per trial in MB ({@code memoryMB} / {@code trialMemorySize})
 * @param gpu GPUs per trial ({@code gpuNum} / {@code trialGpuNumber})
 * @param virtualCluster the virtual cluster jobs go to ({@code virtualCluster}); the user's default when empty
 * @param localMount where this machine mounts the storage ({@code nniManagerNFSMountPath} /
 *     {@code localStorageMountPoint})
 * @param containerMount where the containers see the same storage ({@code containerNFSMountPath} /
 *     {@code containerStorageMountPoint}), an absolute path
 * @param storageConfigName the OpenPAI storage to mount ({@code paiStorageConfigName} / {@code storageConfigName})
 * @param userProtocol a job protocol of the user's ({@code paiConfigPath} / {@code openpaiConfig[File]}): copied for
 *     each trial, its name replaced and each task role's commands wrapped
 * @param reuse {@code reuse} / {@code reuseMode}: accepted; each trial still runs as one job of its own
 * @param maxConcurrentTrials how many of the experiment's jobs may be in the cluster at once (Hybrid's
 *     {@code maxConcurrentTrials}; the experiment's {@code trialConcurrency} by default)
 * @param maxSubmissionsPerHour how many jobs may be submitted per hour (Hybrid's {@code maxSubmissionsPerHour}; 60,
 *     OpenPAI's default limit per user)
 * @param pollInterval how often the job states are listed (Hybrid's {@code pollInterval}; 5 s by default)
 * @param outputPollInterval how often the running trials' folders are read for metrics (1 s by default)
 * @param requestTimeout the longest one API call may take, connecting included (Hybrid's {@code requestTimeout};
 *     30 s by default)
 * @param secretPaths where the token is in the config (it is never stored)
 */
public record OpenPaiConfig(FieldPath path, URI host, String user, Secret token, String dockerImage, int cpu,
        int memoryMb, int gpu, Optional<String> virtualCluster, Path localMount, String containerMount,
        String storageConfigName, Optional<Map<String, Object>> userProtocol, boolean reuse,
        Optional<Integer> maxConcurrentTrials, int maxSubmissionsPerHour, Duration pollInterval,
        Duration outputPollInterval, Duration requestTimeout, List<FieldPath> secretPaths) implements PlatformConfig {

    /** NNI's default trial image. */
    public static final String DEFAULT_IMAGE = "msranni/nni:latest";

    public OpenPaiConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(dockerImage, "dockerImage");
        Objects.requireNonNull(virtualCluster, "virtualCluster");
        Objects.requireNonNull(localMount, "localMount");
        Objects.requireNonNull(containerMount, "containerMount");
        Objects.requireNonNull(storageConfigName, "storageConfigName");
        userProtocol = userProtocol.map(Map::copyOf);
        Objects.requireNonNull(maxConcurrentTrials, "maxConcurrentTrials");
        secretPaths = List.copyOf(secretPaths);
        if (!containerMount.startsWith("/")) {
            throw new IllegalArgumentException("containerMount must be an absolute path, was '" + containerMount + "'");
        }
        requirePositive(pollInterval, "pollInterval");
        requirePositive(outputPollInterval, "outputPollInterval");
        requirePositive(requestTimeout, "requestTimeout");
        if (maxSubmissionsPerHour < 1) {
            throw new IllegalArgumentException("maxSubmissionsPerHour must be >= 1, was " + maxSubmissionsPerHour);
        }
    }

    /**
     * Settings with NNI's defaults for everything but the cluster, the user and the storage: image
     * {@value #DEFAULT_IMAGE}, 1 CPU, 8192 MB, no GPU, no user protocol.
     */
    public static OpenPaiConfig of(URI host, String user, Secret token, Path localMount, String containerMount,
            String storageConfigName) {
        return new OpenPaiConfig(FieldPath.ROOT, host, user, token, DEFAULT_IMAGE, 1, 8192, 0, Optional.empty(),
                localMount, containerMount, storageConfigName, Optional.empty(), false, Optional.empty(), 60,
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(30), List.of());
    }

    /** These settings with other poll intervals and request timeout. */
    public OpenPaiConfig withTiming(Duration pollInterval, Duration outputPollInterval, Duration requestTimeout) {
        return new OpenPaiConfig(path, host, user, token, dockerImage, cpu, memoryMb, gpu, virtualCluster, localMount,
                containerMount, storageConfigName, userProtocol, reuse, maxConcurrentTrials, maxSubmissionsPerHour,
                pollInterval, outputPollInterval, requestTimeout, secretPaths);
    }

    /** These settings with other limits on jobs in the cluster and submissions per hour. */
    public OpenPaiConfig withLimits(int maxConcurrentTrials, int maxSubmissionsPerHour) {
        return new OpenPaiConfig(path, host, user, token, dockerImage, cpu, memoryMb, gpu, virtualCluster, localMount,
                containerMount, storageConfigName, userProtocol, reuse, Optional.of(maxConcurrentTrials),
                maxSubmissionsPerHour, pollInterval, outputPollInterval, requestTimeout, secretPaths);
    }

    /** These settings with a job protocol of the user's. */
    public OpenPaiConfig withUserProtocol(Map<String, Object> protocol) {
        return new OpenPaiConfig(path, host, user, token, dockerImage, cpu, memoryMb, gpu, virtualCluster, localMount,
                containerMount, storageConfigName, Optional.of(protocol), reuse, maxConcurrentTrials,
                maxSubmissionsPerHour, pollInterval, outputPollInterval, requestTimeout, secretPaths);
    }

    /** These settings with another virtual cluster. */
    public OpenPaiConfig withVirtualCluster(String name) {
        return new OpenPaiConfig(path, host, user, token, dockerImage, cpu, memoryMb, gpu, Optional.of(name),
                localMount, containerMount, storageConfigName, userProtocol, reuse, maxConcurrentTrials,
                maxSubmissionsPerHour, pollInterval, outputPollInterval, requestTimeout, secretPaths);
    }

    @Override
    public String platform() {
        return "pai";
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
    }
}
