package dev.hybrid.platform.local;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.PlatformConfig;
import dev.hybrid.platform.PlatformContext;
import dev.hybrid.platform.PlatformProvider;
import dev.hybrid.platform.PlatformSection;
import dev.hybrid.platform.TrainingPlatform;
import java.time.Duration;
import java.util.ArrayList;
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
        Optional<List<Integer>> gpus = gpuIndices(node);
        int perGpu = node.intIn(v1 ? "maxTrialNumPerGpu" : "maxTrialNumberPerGpu", 1, 1, 99_999);
        boolean useActive = node.bool("useActiveGpu", false);
        if (!v1) {
            node.bool("reuseMode", false);
        }
        node.rejectUnknownKeys();
        return new LocalConfig(node.path(), gpus, perGpu, useActive);
    }

    /** NNI accepts an int, a list of ints or a comma-separated string ({@code "0,1"}). */
    static Optional<List<Integer>> gpuIndices(ConfigNode node) {
        Object v = node.raw("gpuIndices").orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        List<Object> items = new ArrayList<>();
        if (v instanceof Integer || v instanceof Long) {
            items.add(v);
        } else if (v instanceof String s) {
            for (String part : s.split(",")) {
                String t = part.trim();
                try {
                    items.add(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    items.add(t);
                }
            }
        } else if (v instanceof List<?> l) {
            items.addAll(l);
        } else {
            node.problem("gpuIndices", "must be an integer, a list of integers or a string like \"0,1\"");
            return Optional.empty();
        }
        List<Integer> out = new ArrayList<>();
        for (Object o : items) {
            if (!(o instanceof Integer i) || i < 0) {
                node.problem("gpuIndices", "must hold non-negative integers, was " + v);
                return Optional.empty();
            }
            if (out.contains(i)) {
                node.problem("gpuIndices", "must not repeat an index, was " + v);
                return Optional.empty();
            }
            out.add(i);
        }
        return Optional.of(out);
    }

    @Override
    public TrainingPlatform create(PlatformConfig config, PlatformContext context) {
        if (!(config instanceof LocalConfig local)) {
            throw new IllegalArgumentException("not a local platform config: " + config.getClass().getName());
        }
        Optional<Integer> gpus = context.trial().gpuNumber();
        LocalPlatformOptions options = new LocalPlatformOptions(context.experimentId(), context.experimentDir(),
                context.trial().command(), context.trial().codeDirectory(), context.trialConcurrency(),
                gpus, Duration.ofSeconds(5), Duration.ofMillis(10), Map.of(), Optional.empty());
        return LocalPlatform.create(options.withGpuIndices(local.gpuIndices()), context.clock());
    }
}
