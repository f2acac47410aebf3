package dev.hybrid.platform.openpai;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The OpenPAI platform under the contract every platform passes, against the fake rest-server running real jobs. */
class OpenPaiPlatformContractTest extends TrainingPlatformContract {
    private FakeOpenPai fake;

    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        Path storage = Files.createDirectories(workDir.resolve("storage"));
        fake = FakeOpenPai.start(storage);
        Path code = Files.createDirectories(workDir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), PaiTrialScripts.SCENARIOS);
        return OpenPaiPlatform.create(config(fake, storage).withLimits(4, 1000), "contract", workDir.resolve("exp"),
                "bash trial.sh", code, Clock.systemUTC());
    }

    /** Settings for the fake, polling often so that tests run fast. */
    static OpenPaiConfig config(FakeOpenPai fake, Path storage) {
        return OpenPaiConfig.of(URI.create(fake.url()), FakeOpenPai.USER, Secret.of(FakeOpenPai.TOKEN), storage,
                "/mnt/" + FakeOpenPai.STORAGE, FakeOpenPai.STORAGE)
                .withTiming(Duration.ofMillis(50), Duration.ofMillis(20), Duration.ofSeconds(2));
    }

    @AfterEach
    void stopFake() {
        if (platform != null) {
            platform.close();
        }
        if (fake != null) {
            fake.close();
        }
    }
}
