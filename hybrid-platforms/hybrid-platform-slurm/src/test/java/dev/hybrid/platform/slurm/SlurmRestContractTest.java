package dev.hybrid.platform.slurm;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Slurm platform through slurmrestd (JWT over loopback TCP) under the contract every platform passes. */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmRestContractTest extends TrainingPlatformContract {
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

    /** The first job after a fresh cluster start may wait for a scheduling pass or two. */
    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(60);
    }

    /** Slurm reports a cancelled job's end within about a second; a second end would come as late. */
    @Override
    protected Duration quietWindow() {
        return Duration.ofMillis(1500);
    }
}
