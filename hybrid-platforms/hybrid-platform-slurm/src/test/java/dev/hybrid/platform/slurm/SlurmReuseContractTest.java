package dev.hybrid.platform.slurm;

import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Slurm platform in reuse mode (trials in pilot jobs) under the contract every platform passes. */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmReuseContractTest extends TrainingPlatformContract {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        Path code = Files.createDirectories(workDir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 2)
                .withExperiment("reuse-" + workDir.getFileName().toString().replaceAll("[^A-Za-z0-9]", ""),
                        workDir.resolve("exp"))
                .withCommandEnvironment(SlurmCluster.current().environment())
                .withPollInterval(Duration.ofMillis(100))
                .withReuseMode(true);
        return SlurmPlatform.create(options);
    }

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    @Override
    protected Duration quietWindow() {
        return Duration.ofMillis(1500);
    }
}
