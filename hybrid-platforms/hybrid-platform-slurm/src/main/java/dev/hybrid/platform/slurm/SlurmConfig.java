package dev.hybrid.platform.slurm;

import dev.hybrid.config.FieldPath;
import dev.hybrid.config.PlatformConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Slurm platform's settings: a v2 {@code trainingService} entry with {@code platform: slurm}.
 *
 * @param resources what each trial's job asks for ({@code partition}, {@code account}, {@code qos},
 *     {@code timeLimit}, {@code trialCpuNumber}, {@code trialMemorySize}, {@code trialGpuNumber}, {@code sbatchArgs})
 * @param sharedDirectory {@code sharedDirectory}: empty means the experiment's own directory
 * @param pythonPath {@code pythonPath}
 * @param maxConcurrentTrials {@code maxConcurrentTrials}: empty means the experiment's {@code trialConcurrency}
 * @param slurmConf {@code slurmConf}: the {@code slurm.conf} the commands read ({@code SLURM_CONF}); empty means theirs
 * @param reuseMode {@code reuseMode}: trials run in pilot jobs that each run trial after trial
 * @param pilotRetirementMargin {@code pilotRetirementMargin}: how long before its time limit a pilot takes no new
 *     trial; empty means the default (see {@link SlurmPlatformOptions#pilotRetirementMargin})
 * @param loginNode the login node the commands run on ({@code host}, ...); empty means this machine
 * @param secretPaths where the login node's password and passphrase are in the config
 * @param keyFilePath where the login node's key file is in the config (its default's place when it is not given)
 * @param rest slurmrestd instead of the commands ({@code restUrl}, ...); empty means the commands
 */
public record SlurmConfig(FieldPath path, SlurmJobResources resources, Optional<Path> sharedDirectory,
        Optional<String> pythonPath, Optional<Integer> maxConcurrentTrials, Optional<Path> slurmConf,
        boolean reuseMode, Optional<java.time.Duration> pilotRetirementMargin, Optional<SlurmLoginNode> loginNode,
        List<FieldPath> secretPaths, Optional<FieldPath> keyFilePath, Optional<SlurmRestApi> rest)
        implements PlatformConfig {
    public SlurmConfig {
        Objects.requireNonNull(pilotRetirementMargin, "pilotRetirementMargin");
        Objects.requireNonNull(rest, "rest");
        Objects.requireNonNull(loginNode, "loginNode");
        secretPaths = List.copyOf(secretPaths);
        Objects.requireNonNull(keyFilePath, "keyFilePath");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(sharedDirectory, "sharedDirectory");
        Objects.requireNonNull(pythonPath, "pythonPath");
        Objects.requireNonNull(maxConcurrentTrials, "maxConcurrentTrials");
        Objects.requireNonNull(slurmConf, "slurmConf");
    }

    @Override
    public String platform() {
        return "slurm";
    }
}
