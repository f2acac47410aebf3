package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.platform.openpai.FakeOpenPai;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.testkit.RecordingListener;
import dev.hybrid.trial.TrialStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hybrid run} of NNI v1 configs naming {@code pai}, against the fake OpenPAI rest-server (its jobs run as local
 * processes, the storage is a temporary folder): the seed's {@code [local, pai]} shape, a deadline, a bad token.
 */
class OpenPaiRunTest {
    @TempDir
    Path dir;
    private Path storage;
    private FakeOpenPai fake;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "frame \"{\\\"type\\\":\\\"PERIODICAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "echo \"NNISDK_MEb'{\\\"type\\\": \\\"FINAL\\\", \\\"sequence\\\": 0, \\\"value\\\": \\\"$x\\\"}'\"",
            "");

    @BeforeEach
    void startFake() throws Exception {
        storage = Files.createDirectories(dir.resolve("nfs"));
        fake = FakeOpenPai.start(storage);
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    private Path config(String platform, String command, String token, String extra) throws Exception {
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "authorName: default",
                "experimentName: pai-test",
                "trialConcurrency: 2",
                "maxTrialNum: 6",
                "trainingServicePlatform: " + platform,
                "searchSpacePath: search_space.json",
                "useAnnotation: false",
                "tuner:",
                "  builtinTunerName: Random",
                "  classArgs: {seed: 5}",
                "trial:",
                "  command: " + command,
                "  codeDir: .",
                "  gpuNum: 0",
                "  cpuNum: 1",
                "  memoryMB: 8196",
                "  image: msranni/nni:latest",
                "  nniManagerNFSMountPath: " + storage,
                "  containerNFSMountPath: /mnt/" + FakeOpenPai.STORAGE,
                "  paiStorageConfigName: " + FakeOpenPai.STORAGE,
                "paiConfig:",
                "  userName: " + FakeOpenPai.USER,
                "  token: " + token,
                "  host: " + fake.url(),
                "  pollInterval: 1s",
                extra));
        return config;
    }

    private int run(String... args) {
        RunCommand command = new RunCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    private List<StoredTrial> trials(String id) throws Exception {
        try (var store = SqliteExperimentStore.readOnly(dir.resolve("work").resolve(id))) {
            store.open();
            return store.trials();
        }
    }

    /** Every byte of the experiment's database files (the database, its WAL, ...), as text. */
    private String databaseText(String id) throws Exception {
        StringBuilder text = new StringBuilder();
        try (var files = Files.list(dir.resolve("work").resolve(id).resolve("db"))) {
            for (Path f : files.toList()) {
                text.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return text.toString();
    }

    @Test
    void hybridRunOfALocalAndPaiConfigFinishesWithTrialsOnBoth() throws Exception {
        Path config = config("hybrid", "sh trial.sh", FakeOpenPai.TOKEN, String.join("\n",
                "hybridConfig:",
                "  trainingServicePlatforms: [local, pai]",
                "  dispatch: round-robin",
                ""));

        int code = run(config.toString(), "--id", "paihybrid", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.5");

        String stdout = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(stdout + err).isZero();
        assertThat(stdout).contains("ended DONE");
        List<StoredTrial> trials = trials("paihybrid");
        assertThat(trials).hasSize(6).allMatch(t -> t.trial().status() == TrialStatus.SUCCEEDED);
        assertThat(trials).extracting(t -> t.trial().platform()).contains("local", "pai");
        assertThat(trials).allMatch(t -> t.trial().finalMetric().isPresent());
        assertThat(fake.states()).isNotEmpty().allSatisfy((name, state) -> assertThat(state).isEqualTo("SUCCEEDED"));
        // The token stays out of the database.
        assertThat(databaseText("paihybrid")).contains("pai").doesNotContain(FakeOpenPai.TOKEN);
    }

    @Test
    void aResumeReadsTheTokenFromTheConfigFileAgainAndRunsMoreJobs() throws Exception {
        Path config = config("pai", "sh trial.sh", FakeOpenPai.TOKEN, "");
        Path work = dir.resolve("work");
        assertThat(run(config.toString(), "--id", "pairesume", "--work-dir", work.toString(),
                "--progress-interval", "0.5")).as(out.toString(StandardCharsets.UTF_8) + err).isZero();
        assertThat(fake.protocols()).hasSize(6);

        ByteArrayOutputStream resumed = new ByteArrayOutputStream();
        int code = new CommandLine(new ResumeCommand(new PrintStream(resumed, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute("pairesume", "--work-dir",
                work.toString(), "--max-trial-number", "8", "--progress-interval", "0.5");

        assertThat(code).as(resumed.toString(StandardCharsets.UTF_8) + err).isZero();
        assertThat(trials("pairesume")).hasSize(8).allMatch(t -> t.trial().platform().equals("pai")
                && t.trial().status() == TrialStatus.SUCCEEDED);
        assertThat(fake.states()).hasSize(8);
        assertThat(databaseText("pairesume")).contains("pai").doesNotContain(FakeOpenPai.TOKEN);
    }

    @Test
    void aBadTokenLeavesPaiOutAndTheLocalPlatformRunsEveryTrial() throws Exception {
        Path config = config("hybrid", "sh trial.sh", "not-the-token-7c1", String.join("\n",
                "hybridConfig:",
                "  trainingServicePlatforms: [local, pai]",
                ""));

        int code = run(config.toString(), "--id", "paibadtoken", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.5");

        assertThat(code).as(out.toString(StandardCharsets.UTF_8) + err).isZero();
        assertThat(trials("paibadtoken")).hasSize(6).allMatch(t -> t.trial().platform().equals("local")
                && t.trial().status() == TrialStatus.SUCCEEDED);
        assertThat(fake.protocols()).isEmpty();
        assertThat(out.toString(StandardCharsets.UTF_8) + err).doesNotContain("not-the-token-7c1");
    }

    @Test
    void aBadTokenAloneFailsTheRunWithAClearMessage() throws Exception {
        Path config = config("pai", "sh trial.sh", "not-the-token-7c1", "");

        int code = run(config.toString(), "--id", "paionly", "--work-dir", dir.resolve("work").toString(),
                "--progress-interval", "0.5");

        String all = out.toString(StandardCharsets.UTF_8) + err;
        assertThat(code).as(all).isEqualTo(1);
        assertThat(all).contains("token rejected").contains("user " + FakeOpenPai.USER).contains(fake.url())
                .doesNotContain("not-the-token-7c1").doesNotContain("\tat dev.hybrid");
    }

    @Test
    void theDeadlineStopsEveryJobStillWaitingOrRunningInTheCluster() throws Exception {
        fake.capacity(1);
        Path config = config("pai", "sleep 600", FakeOpenPai.TOKEN, "maxExecDuration: 3s\ndeadlineGrace: 0\n");
        RecordingListener listener = new RecordingListener();
        Experiment experiment = Experiment.builder().config(ConfigLoader.load(config)).experimentId("paideadline")
                .workingDirectory(dir.resolve("work")).listener(listener).build();
        try (experiment) {
            ExperimentHandle handle = experiment.start();
            listener.await(e -> e instanceof RecordingListener.Event.Started, 1, Duration.ofSeconds(30));
            listener.await(e -> e instanceof RecordingListener.Event.Submitted, 2, Duration.ofSeconds(30));
            assertThat(fake.states()).containsValues("RUNNING", "WAITING");

            // At the deadline (no grace) the experiment cancels both trials: the running job and the queued one.
            assertThat(handle.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(handle.trials()).hasSize(2).allMatch(t -> t.status() == TrialStatus.USER_CANCELED);
            assertThat(fake.states()).hasSize(2).allSatisfy((name, state) -> assertThat(state).isIn("STOPPING",
                    "STOPPED"));
        }
    }
}
