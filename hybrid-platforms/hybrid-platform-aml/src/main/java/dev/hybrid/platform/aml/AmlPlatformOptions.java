package dev.hybrid.platform.aml;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How an {@link AmlPlatform} runs trials.
 *
 * @param experimentId the experiment's id ({@code NNI_EXP_ID}); the experiment replaces it with its own
 * @param trialCommand the trial command, run by {@code bash -c} in the uploaded code folder inside the job
 * @param codeDirectory the code directory, uploaded once per experiment as a code asset
 * @param workspace the workspace
 * @param computeTarget the compute cluster's name
 * @param image a Docker image (made into an environment version), or an environment's ARM or {@code azureml://} id
 * @param maxConcurrentTrials how many jobs may be queued or running at once
 * @param gpuNumber the GPUs each trial needs, when set
 * @param authorityHost the Entra ID host ({@code https://login.microsoftonline.com})
 * @param resourceManagerEndpoint the ARM host ({@code https://management.azure.com})
 * @param credentials how to log in
 * @param pollInterval how often the jobs' status and metrics are read
 * @param serviceLostAfter how long the service may stay unreachable before the trials it runs end
 *     {@code SYS_CANCELED} (in hybrid mode they then run again elsewhere)
 * @param sslContext the TLS trust to use instead of the JVM's default (a private CA, or a test's own certificate)
 * @param environment the process environment the credentials chain reads ({@code AZURE_TENANT_ID}, ...)
 */
public record AmlPlatformOptions(String experimentId, String trialCommand, Path codeDirectory, AmlWorkspace workspace,
        String computeTarget, String image, int maxConcurrentTrials, Optional<Integer> gpuNumber, URI authorityHost,
        URI resourceManagerEndpoint, AmlCredentials credentials, Duration pollInterval, Duration serviceLostAfter,
        Optional<SSLContext> sslContext, Map<String, String> environment) {
    /** Entra ID's public-cloud host. */
    public static final URI DEFAULT_AUTHORITY_HOST = URI.create("https://login.microsoftonline.com");
    /** ARM's public-cloud host. */
    public static final URI DEFAULT_RESOURCE_MANAGER = URI.create("https://management.azure.com");

    public AmlPlatformOptions {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(trialCommand, "trialCommand");
        Objects.requireNonNull(codeDirectory, "codeDirectory");
        Objects.requireNonNull(workspace, "workspace");
        Objects.requireNonNull(computeTarget, "computeTarget");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(gpuNumber, "gpuNumber");
        Objects.requireNonNull(authorityHost, "authorityHost");
        Objects.requireNonNull(resourceManagerEndpoint, "resourceManagerEndpoint");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(serviceLostAfter, "serviceLostAfter");
        Objects.requireNonNull(sslContext, "sslContext");
        environment = Map.copyOf(environment);
        if (maxConcurrentTrials < 1) {
            throw new IllegalArgumentException("maxConcurrentTrials must be >= 1, was " + maxConcurrentTrials);
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
        }
    }

    /**
     * Options with the public cloud's endpoints, a 5 s poll, 5 minutes before an unreachable service's trials are
     * given up, the JVM's TLS trust and this process's environment.
     */
    public static AmlPlatformOptions of(String experimentId, String trialCommand, Path codeDirectory,
            AmlWorkspace workspace, String computeTarget, String image, int maxConcurrentTrials,
            AmlCredentials credentials) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, Optional.empty(), DEFAULT_AUTHORITY_HOST, DEFAULT_RESOURCE_MANAGER, credentials,
                Duration.ofSeconds(5), Duration.ofMinutes(5), Optional.empty(), System.getenv());
    }

    /** These options with other Entra ID and ARM hosts (sovereign clouds, or a test's fake service). */
    public AmlPlatformOptions withEndpoints(URI authority, URI resourceManager) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, gpuNumber, authority, resourceManager, credentials, pollInterval,
                serviceLostAfter, sslContext, environment);
    }

    /** These options with another poll interval and time before an unreachable service's trials are given up. */
    public AmlPlatformOptions withPolling(Duration interval, Duration lostAfter) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, gpuNumber, authorityHost, resourceManagerEndpoint, credentials, interval,
                lostAfter, sslContext, environment);
    }

    /** These options trusting the certificates of {@code context} instead of the JVM's defaults. */
    public AmlPlatformOptions withSslContext(SSLContext context) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, gpuNumber, authorityHost, resourceManagerEndpoint, credentials, pollInterval,
                serviceLostAfter, Optional.of(context), environment);
    }

    /** These options with the GPUs each trial needs. */
    public AmlPlatformOptions withGpuNumber(int gpus) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, Optional.of(gpus), authorityHost, resourceManagerEndpoint, credentials,
                pollInterval, serviceLostAfter, sslContext, environment);
    }

    /** These options reading the credential variables from {@code env} instead of this process's environment. */
    public AmlPlatformOptions withEnvironment(Map<String, String> env) {
        return new AmlPlatformOptions(experimentId, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, gpuNumber, authorityHost, resourceManagerEndpoint, credentials, pollInterval,
                serviceLostAfter, sslContext, env);
    }

    /** These options for another experiment id. */
    public AmlPlatformOptions withExperimentId(String id) {
        return new AmlPlatformOptions(id, trialCommand, codeDirectory, workspace, computeTarget, image,
                maxConcurrentTrials, gpuNumber, authorityHost, resourceManagerEndpoint, credentials, pollInterval,
                serviceLostAfter, sslContext, environment);
    }
}
