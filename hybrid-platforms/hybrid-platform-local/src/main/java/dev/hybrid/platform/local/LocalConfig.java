package dev.hybrid.platform.local;

import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The local platform's settings: v1 {@code localConfig} or a v2 {@code trainingService} entry with
 * {@code platform: local}.
 *
 * @param gpuIndices the GPUs trials may use ({@code gpuIndices}); empty means all
 * @param maxTrialNumberPerGpu how many trials may share one GPU
 * @param useActiveGpu whether GPUs already busy with other processes may be used
 */
public record LocalConfig(FieldPath path, Optional<List<Integer>> gpuIndices, int maxTrialNumberPerGpu,
        boolean useActiveGpu) implements PlatformConfig {
    public LocalConfig {
        Objects.requireNonNull(path, "path");
        gpuIndices = gpuIndices.map(List::copyOf);
    }

    @Override
    public String platform() {
        return "local";
    }
}
