package dev.hybrid.platform;

import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Path;
import java.util.Optional;

/** A hybrid platform over two in-process children passes the contract every platform passes. */
class HybridPlatformContractTest extends TrainingPlatformContract {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) {
        return HybridPlatform.of(InProcessPlatform.create(scenarioFunction(), 2),
                InProcessPlatform.create(scenarioFunction(), 1));
    }

    @Override
    protected Optional<Integer> failureExitCode() {
        return Optional.empty();
    }
}
