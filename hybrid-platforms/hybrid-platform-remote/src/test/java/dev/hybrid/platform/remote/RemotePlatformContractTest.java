package dev.hybrid.platform.remote;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.TrainingPlatform;
import dev.hybrid.testkit.TrainingPlatformContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The remote platform under the contract every platform passes, against an in-process SSH server, password login. */
class RemotePlatformContractTest extends TrainingPlatformContract {
    @TempDir
    static Path serverDir;
    static MinaServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = MinaServer.start(serverDir.resolve("host.key"), List.of());
    }

    @AfterAll
    static void stopServer() throws IOException {
        server.close();
    }

    @Override
    protected TrainingPlatform newPlatform(Path workDir) throws Exception {
        Path code = Files.createDirectories(workDir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), RemoteTrialScripts.SCENARIOS);
        RemoteMachine m = RemoteMachine.withPassword("127.0.0.1", server.port(), MinaServer.USER,
                Secret.of(MinaServer.PASSWORD)).withMaxConcurrentTrials(4)
                .withRemoteDirectory(workDir.resolve("machine").toString());
        return RemotePlatform.create(RemotePlatformOptions.of("contract", "sh trial.sh", code, List.of(m))
                .withHostKeys(workDir.resolve("known_hosts"), HostKeyPolicy.ACCEPT_NEW)
                .withCancelGracePeriod(Duration.ofSeconds(2)));
    }
}
