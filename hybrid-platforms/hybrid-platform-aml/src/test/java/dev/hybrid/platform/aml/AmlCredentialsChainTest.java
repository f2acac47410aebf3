package dev.hybrid.platform.aml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last link of the credentials chain: the Azure CLI's login, played by a script standing in for {@code az}. */
class AmlCredentialsChainTest {
    @TempDir
    Path dir;

    private AmlPlatformOptions withCli(FakeAzure fake, Path az) throws Exception {
        AmlPlatformOptions o = AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1);
        return new AmlPlatformOptions(o.experimentId(), o.trialCommand(), o.codeDirectory(), o.workspace(),
                o.computeTarget(), o.image(), 1, o.gpuNumber(), o.authorityHost(), o.resourceManagerEndpoint(),
                new AmlCredentials(java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                        az.toString()), o.pollInterval(), o.serviceLostAfter(), o.sslContext(), Map.of());
    }

    private Path script(String body) throws Exception {
        Path az = dir.resolve("az");
        Files.writeString(az, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(az, PosixFilePermissions.fromString("rwx------"));
        return az;
    }

    @Test
    void withoutAServicePrincipalTheAzureCliTokenIsUsed() throws Exception {
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            String token = fake.issueToken(3600);
            long expires = java.time.Instant.now().plusSeconds(3600).getEpochSecond();
            Path az = script("[ \"$1 $2\" = 'account get-access-token' ] || exit 9\n"
                    + "echo '{\"accessToken\": \"" + token + "\", \"expires_on\": " + expires
                    + ", \"tokenType\": \"Bearer\"}'");
            RecordingSink sink = new RecordingSink();
            try (AmlPlatform p = AmlPlatform.create(withCli(fake, az), Clock.systemUTC())) {
                p.start(sink);
                TrialSpec s = new TrialSpec(new TrialId("cli1"), 0, 0, new Parameters(Map.of("scenario", "succeed")));
                p.submit(s);
                assertThat(sink.awaitEnded(s.id(), Duration.ofSeconds(30)).status()).isEqualTo(TrialStatus.SUCCEEDED);
            }
            assertThat(fake.tokensIssued.get()).as("the token endpoint was not used").isZero();
        }
    }

    @Test
    void aFailingAzureCliSaysToLogIn() throws Exception {
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            Path az = script("echo 'ERROR: Please run az login to setup account.' >&2; exit 1");
            AmlPlatform p = AmlPlatform.create(withCli(fake, az), Clock.systemUTC());
            assertThatThrownBy(() -> p.start(new RecordingSink())).isInstanceOf(PlatformException.class)
                    .hasMessageContaining("AZURE_CLIENT_SECRET").hasMessageContaining("az login");
            p.close();
        }
    }
}
