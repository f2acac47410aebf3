package dev.hybrid.gpu;

import java.util.Objects;

/**
 * One GPU as {@code nvidia-smi} reports it.
 *
 * @param index the index {@code CUDA_VISIBLE_DEVICES} uses
 * @param uuid the GPU's UUID
 * @param name the product name, e.g. {@code NVIDIA H200}
 * @param memoryTotalMiB total memory
 * @param memoryUsedMiB memory in use
 * @param utilizationPercent GPU utilisation, 0–100
 * @param activeProcesses compute processes running on it (trials of ours included)
 */
public record GpuInfo(int index, String uuid, String name, long memoryTotalMiB, long memoryUsedMiB,
        int utilizationPercent, int activeProcesses) {
    public GpuInfo {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
    }

    /** This GPU with another count of active processes. */
    public GpuInfo withActiveProcesses(int n) {
        return new GpuInfo(index, uuid, name, memoryTotalMiB, memoryUsedMiB, utilizationPercent, n);
    }
}
