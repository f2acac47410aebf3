package dev.hybrid.platform.remote;

import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The remote platform's settings: a v1 config's {@code machineList} and {@code remoteConfig}, or a v2
 * {@code trainingService} entry with {@code platform: remote}.
 *
 * @param path where the settings are in the config
 * @param machines the machines, at least one
 * @param knownHostsFile the {@code known_hosts} file ({@code knownHostsFile}, default {@code ~/.ssh/known_hosts})
 * @param hostKeyPolicy {@code hostKeyPolicy}: {@code strict}, {@code accept-new} (default) or {@code off}
 * @param machineLostAfter {@code machineLostAfter}: how long a machine may stay unreachable before the trials running
 *     there end {@code SYS_CANCELED} (default 5 minutes)
 * @param secretPaths where the machines' passwords and key passphrases are in the config (never stored)
 * @param keyFilePaths where each machine's key file is given ({@code sshKeyPath} / {@code sshKeyFile}, where a v2
 *     machine without a password defaults to {@code ~/.ssh/id_rsa}), by the machine's index in {@code machines}
 */
public record RemoteConfig(FieldPath path, List<RemoteMachine> machines, Path knownHostsFile,
        HostKeyPolicy hostKeyPolicy, java.util.Optional<java.time.Duration> machineLostAfter,
        List<FieldPath> secretPaths, java.util.Map<Integer, FieldPath> keyFilePaths) implements PlatformConfig {
    public RemoteConfig {
        secretPaths = List.copyOf(secretPaths);
        keyFilePaths = java.util.Map.copyOf(keyFilePaths);
        Objects.requireNonNull(path, "path");
        machines = List.copyOf(machines);
        Objects.requireNonNull(knownHostsFile, "knownHostsFile");
        Objects.requireNonNull(hostKeyPolicy, "hostKeyPolicy");
        Objects.requireNonNull(machineLostAfter, "machineLostAfter");
    }

    @Override
    public String platform() {
        return "remote";
    }
}
