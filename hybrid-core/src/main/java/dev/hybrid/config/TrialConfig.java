package dev.hybrid.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What every command trial runs: NNI's {@code trial.command} / {@code trialCommand}, the code directory
 * ({@code trial.codeDir} / {@code trialCodeDirectory}, resolved against the config file's folder) and the GPUs each
 * trial needs ({@code trial.gpuNum} / {@code trialGpuNumber}; empty when unset).
 */
public record TrialConfig(String command, Path codeDirectory, Optional<Integer> gpuNumber) {
    public TrialConfig {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(codeDirectory, "codeDirectory");
        Objects.requireNonNull(gpuNumber, "gpuNumber");
    }
}
