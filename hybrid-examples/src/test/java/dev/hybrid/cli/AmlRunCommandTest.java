package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.platform.aml.FakeAzure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hybrid run} of a v1 hybrid config over {@code [local, aml]}, the aml platform against the fake Azure. */
class AmlRunCommandTest {
    @TempDir
    Path dir;

    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            // Long enough for the aml platform (which starts after its upload) to take trials too.
            "sleep 1",
            "frame \"{\\\"type\\\":\\\"PERIODICAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "echo \"NNISDK_MEb'{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"$x\\\"}'\"",
            "");

    @Test
    void aLocalAndAmlConfigRunsToTheEndWithTrialsOnBoth() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (FakeAzure fake = FakeAzure.http(dir.resolve("fake"))) {
            Path code = Files.createDirectories(dir.resolve("code"));
            Files.writeString(code.resolve("trial.sh"), TRIAL);
            Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
            Path config = Files.writeString(dir.resolve("config.yml"), String.join("\n",
                    "trialConcurrency: 4",
                    "maxTrialNum: 8",
                    "trainingServicePlatform: hybrid",
                    "searchSpacePath: search_space.json",
                    "useAnnotation: false",
                    "tuner:",
                    "  builtinTunerName: Random",
                    "trial:",
                    "  command: bash trial.sh",
                    "  codeDir: code",
                    "  image: python:3.11-slim",
                    "hybridConfig:",
                    "  trainingServicePlatforms: [local, aml]",
                    "  dispatch: round-robin",
                    "  maxTrialConcurrency: {local: 2}",
                    "amlConfig:",
                    "  subscriptionId: " + FakeAzure.SUBSCRIPTION,
                    "  resourceGroup: " + FakeAzure.GROUP,
                    "  workspaceName: " + FakeAzure.WORKSPACE,
                    "  computeTarget: " + FakeAzure.COMPUTE,
                    "  tenantId: " + FakeAzure.TENANT,
                    "  clientId: " + FakeAzure.CLIENT,
                    "  clientSecret: " + FakeAzure.SECRET,
                    "  authorityHost: " + fake.endpoint(),
                    "  resourceManagerEndpoint: " + fake.endpoint(),
                    "  pollInterval: 0.1s",
                    ""));
            RunCommand command = new RunCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(command).execute(config.toString(), "--id", "amlrun1", "--work-dir",
                    dir.resolve("w").toString());

            String output = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(output).isZero();
            assertThat(fake.jobs()).as(output).isNotEmpty()
                    .allSatisfy(j -> assertThat(j.status()).isEqualTo("Completed"));
            try (Stream<Path> local = Files.list(dir.resolve("w").resolve("amlrun1").resolve("trials"))) {
                assertThat(local.count()).as("local trials").isPositive();
            }
            assertThat(output).doesNotContain(FakeAzure.SECRET);
        }
    }
}
