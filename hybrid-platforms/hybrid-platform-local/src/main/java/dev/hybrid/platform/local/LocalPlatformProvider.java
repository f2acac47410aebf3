package dev.hybrid.platform.local;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registers the {@code local} platform and reads its settings. */
public final class LocalPlatformProvider implements PlatformProvider {

    @Override
    public String name() {
        return "local";
    }

    @Override
    public PlatformConfig parse(PlatformSection section) {
        ConfigNode node = section.version() == 1 ? section.node().child("localConfig") : section.node();
        boolean v1 = section.version() == 1;
        Optional<List<Integer>> gpus = node.indexList("gpuIndices");
        int perGpu = node.intIn(v1 ? "maxTrialNumPerGpu" : "maxTrialNumberPerGpu", 1, 1, 99_999);
        boolean useActive = node.bool("useActiveGpu", false);
        if (!v1) {
            node.bool("reuseMode", false);
        }
        node.rejectUnknownKeys();
        return new LocalConfig(node.path(), gpus, perGpu, useActive);
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof LocalConfig local)) {
            throw new IllegalArgumentException("not a local platform config: " + config.getClass().getName());
        }
        Optional<Integer> gpus = context.trial().gpuNumber();
        LocalPlatformOptions options = new LocalPlatformOptions(context.experimentId(), context.experimentDir(),
                context.trial().command(), context.trial().codeDirectory(), context.trialConcurrency(),
                gpus, Duration.ofSeconds(5), Duration.ofMillis(10), Map.of(), new LocalPlatformOptions.Gpus(
                        local.gpuIndices(), local.maxTrialNumberPerGpu(), local.useActiveGpu(), "nvidia-smi"));
        return LocalPlatform.create(options, context.clock());
    }
}
