package dev.hybrid.platform.slurm;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.TrainingPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The Slurm platform through slurmrestd (JWT over loopback TCP) under the contract every platform passes, with the
 * command route's timeouts.
 */
class SlurmRestContractTest extends SlurmPlatformContractTest {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        Path code = Files.createDirectories(workDir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
        SlurmCluster.Rest rest = SlurmCluster.current().rest();
        SlurmPlatformOptions options = SlurmPlatformOptions.of("sh trial.sh", code, 2)
                .withExperiment("rest-" + workDir.getFileName().toString().replaceAll("[^A-Za-z0-9]", ""),
                        workDir.resolve("exp"))
                .withPollInterval(Duration.ofMillis(100));
        return SlurmPlatform.create(options, SlurmRestApi.withToken(rest.url(), rest.user(), Secret.of(rest.token())),
                Clock.systemUTC());
    }
}
