package dev.hybrid.platform.aml;

import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code aml} platform's settings: a v1 config's {@code amlConfig} (with the trial's {@code image}) or a v2
 * {@code trainingService} entry with {@code platform: aml}.
 *
 * @param path where the settings are in the config
 * @param workspace the subscription, resource group and workspace
 * @param computeTarget the compute cluster's name ({@code computeTarget})
 * @param image the Docker image (v1 {@code trial.image}, v2 {@code dockerImage}), or an environment's ARM or
 *     {@code azureml://} id, used as is
 * @param maxTrialNumberPerGpu {@code maxTrialNumPerGpu} / {@code maxTrialNumberPerGpu} (read, as NNI does; a job
 *     gets its own node's GPUs)
 * @param maxConcurrentTrials how many jobs may be queued or running at once ({@code maxConcurrentTrials}, a Hybrid
 *     extension; by default the experiment's {@code trialConcurrency})
 * @param authorityHost {@code authorityHost}: the Entra ID host
 * @param resourceManagerEndpoint {@code resourceManagerEndpoint}: the ARM host
 * @param credentials how to log in
 * @param pollInterval {@code pollInterval}: how often the jobs are polled (a Hybrid extension; default 5 s)
 * @param secretPaths where the client secret is in the config (never stored)
 */
public record AmlConfig(FieldPath path, AmlWorkspace workspace, String computeTarget, String image,
        int maxTrialNumberPerGpu, Optional<Integer> maxConcurrentTrials, URI authorityHost,
        URI resourceManagerEndpoint, AmlCredentials credentials, Optional<java.time.Duration> pollInterval,
        List<FieldPath> secretPaths)
        implements PlatformConfig {
    public AmlConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(computeTarget, "computeTarget");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(maxConcurrentTrials, "maxConcurrentTrials");
        Objects.requireNonNull(authorityHost, "authorityHost");
        Objects.requireNonNull(resourceManagerEndpoint, "resourceManagerEndpoint");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(pollInterval, "pollInterval");
        secretPaths = List.copyOf(secretPaths);
    }

    @Override
    public String platform() {
        return "aml";
    }
}
