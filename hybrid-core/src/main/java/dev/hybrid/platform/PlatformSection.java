package dev.hybrid.platform;

import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.TrialConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The part of a config a {@link PlatformProvider} reads: for a v2 config the {@code trainingService} entry
 * (its {@code platform} key already read), for a v1 config the root node, where the platform's sections live
 * ({@code machineList}, {@code remoteConfig}, {@code localConfig}, {@code paiConfig}, {@code amlConfig}).
 *
 * @param node the settings; read them with its typed getters so that problems carry the user's field paths
 * @param version the config format, 1 or 2 (v1 and v2 spell keys differently: {@code ip} vs {@code host})
 * @param trial the experiment's trial settings
 * @param trialConcurrency the experiment's {@code trialConcurrency}
 * @param baseDir the config file's folder, against which relative paths resolve
 */
public record PlatformSection(ConfigNode node, int version, TrialConfig trial, int trialConcurrency, Path baseDir) {
    public PlatformSection {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(trial, "trial");
        Objects.requireNonNull(baseDir, "baseDir");
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("version must be 1 or 2, was " + version);
        }
    }
}
