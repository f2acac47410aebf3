package dev.hybrid.platform.local;

import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The local platform under the contract every platform passes, with a shell trial that plays each scenario. */
class LocalPlatformContractTest extends TrainingPlatformContract {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        Path code = Files.createDirectories(workDir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), LocalTrialScripts.SCENARIOS);
        return LocalPlatform.create(LocalPlatformOptions.of("contract", workDir.resolve("exp"), "sh trial.sh", code,
                4).withCancelGracePeriod(Duration.ofSeconds(2)));
    }
}
