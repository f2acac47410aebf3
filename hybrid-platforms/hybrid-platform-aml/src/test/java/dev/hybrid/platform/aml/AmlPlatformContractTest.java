package dev.hybrid.platform.aml;

import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The platform contract against the fake Azure service: real jobs run as processes, metrics through MLflow. */
class AmlPlatformContractTest extends TrainingPlatformContract {
    private FakeAzure fake;

    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        fake = FakeAzure.http(workDir.resolve("fake"));
        return AmlTrials.platform(fake, AmlTrials.writeCode(workDir.resolve("code")), 4);
    }

    @Override
    protected Duration quietWindow() {
        return Duration.ofMillis(600);
    }

    @AfterEach
    void stopFake() {
        // The platform first (it cancels its jobs through the fake), then the fake.
        platform.close();
        fake.close();
    }
}
