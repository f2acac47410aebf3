package dev.hybrid.testkit;

import dev.hybrid.platform.TrainingPlatform;
import java.nio.file.Path;

class FakePlatformContractTest extends TrainingPlatformContract {
    @Override
    protected TrainingPlatform newPlatform(Path workDir) {
        return FakePlatform.withSlots(3);
    }
}
