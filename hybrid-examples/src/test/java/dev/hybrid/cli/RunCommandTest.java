package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hybrid run} end to end: a real config, real local processes, real files. */
class RunCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        RunCommand command = new RunCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "printf 'not a frame at all\\n' >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "frame \"{\\\"type\\\":\\\"PERIODICAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "case \"$NNI_TRIAL_SEQ_ID\" in 2) echo 'this trial breaks' >&2; exit 7 ;; esac",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "");

    private Path writeConfig(String extra) throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "experimentName: cli-test",
                "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh",
                "trialConcurrency: 2",
                "maxTrialNumber: 6",
                "tuner:",
                "  name: Random",
                "  classArgs: {seed: 3}",
                "trainingService:",
                "  platform: local",
                extra));
        return config;
    }

    @Test
    void runsAConfigToTheEndAndWritesEveryTrial() throws Exception {
        Path config = writeConfig("");
        int code = run(config.toString(), "--id", "clitest1", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.2");
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stdout + err).isZero();
        assertThat(stdout).contains("Experiment clitest1 started").contains("ended DONE").contains("Best trials")
                .contains("Best parameters: {\"x\":");
        assertThat(dir.resolve("work/clitest1/trials.json")).doesNotExist();
        try (var store = dev.hybrid.store.SqliteExperimentStore.readOnly(dir.resolve("work/clitest1"))) {
            store.open();
            var trials = store.trials();
            assertThat(trials).hasSize(6);
            assertThat(trials).filteredOn(t -> t.trial().status() == dev.hybrid.trial.TrialStatus.SUCCEEDED)
                    .hasSize(5);
            var failed = trials.stream().filter(t -> t.trial().status() == dev.hybrid.trial.TrialStatus.FAILED)
                    .findFirst().orElseThrow();
            assertThat(failed.trial().exitCode()).contains(7);
            assertThat(failed.trial().message()).contains("this trial breaks");
            assertThat(store.experiment().orElseThrow().status()).isEqualTo(dev.hybrid.ExperimentStatus.DONE);
        }
    }

    private Path hungTrialConfig(String limits) throws Exception {
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("hung.yml");
        Files.writeString(config, String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: sleep 600",
                "trialConcurrency: 1",
                "maxTrialNumber: 1",
                limits,
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  platform: local",
                ""));
        return config;
    }

    private dev.hybrid.trial.Trial onlyTrial(String id) {
        try (var store = dev.hybrid.store.SqliteExperimentStore.readOnly(dir.resolve("work").resolve(id))) {
            store.open();
            assertThat(store.trials()).hasSize(1);
            return store.trials().get(0).trial();
        }
    }

    @Test
    void aTrialHungPastTheDeadlineIsCancelledAfterTheGraceWhichProgressCountsDown() throws Exception {
        Path config = hungTrialConfig("maxExperimentDuration: 1s\ndeadlineGrace: 2s");
        int code = run(config.toString(), "--id", "hung1", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.1");
        String stdout = out.toString(StandardCharsets.UTF_8);
        // The experiment is DONE, but its only trial was cancelled: no trial succeeded, so the exit code is 1.
        assertThat(code).as(stdout + err).isEqualTo(1);
        assertThat(stdout).containsPattern("NO_MORE_TRIAL .* grace 0:00:0[0-2] left").contains("ended DONE");
        assertThat(err.toString()).contains("no trial succeeded").contains("ended USER_CANCELED")
                .contains("deadline grace");
        dev.hybrid.trial.Trial t = onlyTrial("hung1");
        assertThat(t.status()).isEqualTo(dev.hybrid.trial.TrialStatus.USER_CANCELED);
        assertThat(t.message()).contains("maxExecDuration of PT1S").contains("deadline grace of PT2S");
    }

    @Test
    void aLocalTrialOverMaxTrialDurationEndsEarlyStoppedNamingTheLimit() throws Exception {
        Path config = hungTrialConfig("maxTrialDuration: 1s");
        int code = run(config.toString(), "--id", "slow1", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.2");
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stdout + err).isZero();
        dev.hybrid.trial.Trial t = onlyTrial("slow1");
        assertThat(t.status()).isEqualTo(dev.hybrid.trial.TrialStatus.EARLY_STOPPED);
        assertThat(t.message()).isEqualTo("exceeded maxTrialDuration of PT1S");
    }

    @Test
    void aConfigWithSeveralMistakesPrintsThemAllAndExitsWithTwo() throws Exception {
        Path config = writeConfig("maxExperimentDuration: soon\nunknownKey: 1\n");
        Files.writeString(config, Files.readString(config).replace("trialConcurrency: 2", "trialConcurrency: 0"));
        int code = run(config.toString(), "--work-dir", dir.resolve("work").toString());
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(stderr).contains("trialConcurrency:").contains("maxExperimentDuration:").contains("unknownKey:");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void anIdStartingWithADashIsAConfigurationErrorAndNothingIsCreated() throws Exception {
        Path config = writeConfig("");
        int code = run(config.toString(), "--id=-x1", "--work-dir", dir.resolve("work").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("experimentId:").contains("not starting with '-'");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aMissingSshKeyFileIsAConfigurationErrorAtItsPathAndNothingStarts() throws Exception {
        Path config = writeConfig("");
        Files.writeString(config, Files.readString(config).replace("trainingService:\n  platform: local",
                "trainingService:\n  - platform: local\n  - platform: remote\n    machineList:\n"
                        + "      - host: 127.0.0.1\n        user: u\n        sshKeyFile: keys/absent\n"));
        int code = run(config.toString(), "--id", "nokey", "--work-dir", dir.resolve("work").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("trainingService[1].machineList[0].sshKeyFile:"
                + " SSH key file " + dir.resolve("keys/absent") + " does not exist");
        assertThat(dir.resolve("work")).doesNotExist();
    }

    @Test
    void aHybridConfigRunsOnEveryPlatformItNames() throws Exception {
        Path config = writeConfig("");
        String text = Files.readString(config).replace("trainingService:\n  platform: local",
                "trainingService:\n  - platform: local\n  - platform: local\n    maxTrialNumberPerGpu: 1");
        Files.writeString(config, text);
        int code = run(config.toString(), "--id", "hybrid1", "--work-dir", dir.resolve("work").toString());
        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stdout + err).isZero();
        assertThat(stdout).contains("on local + local").contains("ended DONE");
        try (var store = dev.hybrid.store.SqliteExperimentStore.readOnly(dir.resolve("work/hybrid1"))) {
            store.open();
            // Each trial is recorded with its child's own name: the second local platform is local#2.
            assertThat(store.trials()).hasSize(6).extracting(t -> t.trial().platform())
                    .containsOnly("local", "local#2");
        }
    }
}
