package dev.hybrid.platform.aml;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Registers the {@code aml} platform and reads its settings: v1 {@code amlConfig} ({@code subscriptionId},
 * {@code resourceGroup}, {@code workspaceName}, {@code computeTarget}, {@code maxTrialNumPerGpu}) with the trial's
 * {@code image}, or a v2 entry ({@code subscriptionId}, {@code resourceGroup}, {@code workspaceName},
 * {@code computeTarget}, {@code dockerImage}, {@code maxTrialNumberPerGpu}). Both take Hybrid's optional
 * {@code authorityHost} (default {@code https://login.microsoftonline.com}, or {@code AZURE_AUTHORITY_HOST}),
 * {@code resourceManagerEndpoint} (default {@code https://management.azure.com}), {@code tenantId},
 * {@code clientId}, {@code clientSecret}, {@code maxConcurrentTrials} and {@code pollInterval}. The client secret never appears in a
 * problem and is never stored.
 */
public final class AmlPlatformProvider implements PlatformProvider {

    @Override
    public String name() {
        return "aml";
    }

    @Override
    public PlatformConfig parse(PlatformSection section) {
        boolean v1 = section.version() == 1;
        ConfigNode root = section.node();
        ConfigNode n = v1 ? root.child("amlConfig") : root;
        if (v1 && !root.has("amlConfig")) {
            root.problem("amlConfig", "is required for platform aml: subscriptionId, resourceGroup, workspaceName,"
                    + " computeTarget");
        }
        String subscription = required(n, "subscriptionId", "the Azure subscription id");
        String group = required(n, "resourceGroup", "the workspace's resource group");
        String workspace = required(n, "workspaceName", "the Azure ML workspace");
        String compute = required(n, "computeTarget", "the compute cluster's name");
        int perGpu = n.intIn(v1 ? "maxTrialNumPerGpu" : "maxTrialNumberPerGpu", 1, 1, 99_999);
        Optional<Integer> concurrent = n.has("maxConcurrentTrials")
                ? Optional.of(n.intIn("maxConcurrentTrials", 1, 1, 99_999)) : Optional.empty();
        String image;
        if (v1) {
            ConfigNode trial = root.child("trial");
            image = trial.raw("image").filter(String.class::isInstance).map(String.class::cast).orElse("");
            if (image.isBlank()) {
                root.problem("trial.image", "is required for platform aml: the Docker image (or Azure ML environment"
                        + " id) the trial runs in");
            }
        } else {
            image = required(n, "dockerImage", "the Docker image (or Azure ML environment id) the trial runs in");
        }
        URI authority = uri(n, "authorityHost", Optional.ofNullable(System.getenv("AZURE_AUTHORITY_HOST"))
                .filter(s -> !s.isBlank()).orElse(AmlPlatformOptions.DEFAULT_AUTHORITY_HOST.toString()));
        URI arm = uri(n, "resourceManagerEndpoint", AmlPlatformOptions.DEFAULT_RESOURCE_MANAGER.toString());
        Optional<java.time.Duration> poll = dev.hybrid.config.Durations.read(n, "pollInterval");
        poll.filter(d -> d.isZero() || d.isNegative()).ifPresent(d -> n.problem("pollInterval", "must be positive"));
        Optional<String> tenant = n.optionalString("tenantId");
        Optional<String> client = n.optionalString("clientId");
        Optional<Secret> secret = Optional.empty();
        List<FieldPath> secrets = new ArrayList<>();
        Object raw = n.raw("clientSecret").orElse(null);
        if (raw instanceof String s) {
            secret = Optional.of(Secret.of(s));
            secrets.add(n.pathOf("clientSecret"));
        } else if (raw != null) {
            n.problem("clientSecret", "must be a string");
        }
        int given = (tenant.isPresent() ? 1 : 0) + (client.isPresent() ? 1 : 0) + (raw != null ? 1 : 0);
        if (given > 0 && given < 3) {
            for (String key : List.of("tenantId", "clientId", "clientSecret")) {
                if (!n.has(key)) {
                    n.problem(key, "is required with the other service principal keys (tenantId, clientId,"
                            + " clientSecret)");
                }
            }
        }
        if (!v1) {
            n.bool("reuseMode", false);
            n.optionalString("nniManagerIp");
        }
        n.rejectUnknownKeys();
        if (subscription.isEmpty() || group.isEmpty() || workspace.isEmpty() || compute.isEmpty()
                || image.isBlank()) {
            return new AmlConfig(n.path(), new AmlWorkspace("-", "-", "xxx"), "-", "-", perGpu, concurrent,
                    authority, arm, AmlCredentials.fromEnvironmentOrCli(), Optional.empty(), secrets);
        }
        AmlCredentials credentials = new AmlCredentials(tenant, client, secret, "az");
        return new AmlConfig(n.path(), new AmlWorkspace(subscription, group, workspace), compute, image, perGpu,
                concurrent, authority, arm, credentials, poll.filter(d -> !d.isNegative() && !d.isZero()), secrets);
    }

    private static String required(ConfigNode n, String key, String what) {
        String v = n.string(key, "");
        if (v.isBlank()) {
            n.problem(key, n.has(key) ? "must not be blank" : "is required: " + what);
            return "";
        }
        return v;
    }

    private static URI uri(ConfigNode n, String key, String def) {
        String v = n.string(key, def).replaceAll("/+$", "");
        try {
            URI u = URI.create(v);
            if (u.getScheme() == null || u.getHost() == null
                    || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
                n.problem(key, "must be an https:// URL, was '" + v + "'");
                return URI.create(def);
            }
            return u;
        } catch (IllegalArgumentException e) {
            n.problem(key, "must be an https:// URL, was '" + v + "'");
            return URI.create(def);
        }
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof AmlConfig aml)) {
            throw new IllegalArgumentException("not an aml platform config: " + config.getClass().getName());
        }
        AmlPlatformOptions options = AmlPlatformOptions.of(context.experimentId(), context.trial().command(),
                context.trial().codeDirectory(), aml.workspace(), aml.computeTarget(), aml.image(),
                aml.maxConcurrentTrials().orElse(context.trialConcurrency()), aml.credentials())
                .withEndpoints(aml.authorityHost(), aml.resourceManagerEndpoint());
        if (aml.pollInterval().isPresent()) {
            options = options.withPolling(aml.pollInterval().get(), options.serviceLostAfter());
        }
        if (context.trial().gpuNumber().isPresent()) {
            options = options.withGpuNumber(context.trial().gpuNumber().get());
        }
        return AmlPlatform.create(options, context.clock());
    }
}
