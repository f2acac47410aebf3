package dev.hybrid.platform;

import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Path;
import java.util.Optional;

class InProcessPlatformContractTest extends TrainingPlatformContract {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) {
        return InProcessPlatform.create(scenarioFunction(), 2);
    }

    @Override
    protected Optional<Integer> failureExitCode() {
        return Optional.empty();
    }
}
