package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.platform.slurm.internal.RestSlurmCommands;
import dev.hybrid.platform.slurm.internal.SlurmCommands;
import dev.hybrid.platform.slurm.internal.SlurmRestClient;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Slurm platform through a real slurmrestd: what the jobs get, cancels, and the errors a user can meet. */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmRestTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    Path code;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void writeTrial() throws Exception {
        code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), SlurmTrialScripts.SCENARIOS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private SlurmPlatformOptions options(String experimentId) {
        return SlurmPlatformOptions.of("sh trial.sh", code, 2).withExperiment(experimentId, dir.resolve(experimentId))
                .withPollInterval(Duration.ofMillis(100));
    }

    private static SlurmRestApi api() throws Exception {
        SlurmCluster.Rest rest = SlurmCluster.current().rest();
        return SlurmRestApi.withToken(rest.url(), rest.user(), Secret.of(rest.token()));
    }

    private SlurmPlatform platform(SlurmPlatformOptions options, SlurmRestApi api) {
        SlurmPlatform p = SlurmPlatform.create(options, api, Clock.systemUTC());
        toClose.add(p);
        return p;
    }

    /** One field of {@code scontrol show job}. */
    private static String jobField(String jobId, String field) throws Exception {
        String out = SlurmCluster.current().run("scontrol", "show", "job", jobId);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)" + field + "=(\\S*)").matcher(out);
        assertThat(m.find()).as(field + " in " + out).isTrue();
        return m.group(1);
    }

    @Test
    void theJobGetsTheResourcesAndFlagsThroughTheRestApi() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmJobResources resources = new SlurmJobResources(Optional.of("debug"), Optional.empty(), Optional.empty(),
                Optional.of("1:30"), Optional.of(1), Optional.of(64L), Optional.of(1),
                List.of("--nice=5"));
        SlurmPlatform slurm = platform(options("flags").withResources(resources), api());
        slurm.start(sink);
        TrialId id = TrialId.of("f1");
        slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.BLOCK));
        sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported && e.trial().equals(id), WAIT, "a metric");
        String job = slurm.jobId(id).orElseThrow();

        assertThat(jobField(job, "JobName")).isEqualTo("hybrid-flags");
        assertThat(jobField(job, "Partition")).isEqualTo("debug");
        // 1 minute 30 seconds: slurmrestd takes whole minutes, so the limit is rounded up.
        assertThat(jobField(job, "TimeLimit")).isEqualTo("00:02:00");
        // The submission's token: the trial's id and a random suffix.
        assertThat(jobField(job, "Comment")).matches("f1\\.[0-9a-z]+");
        assertThat(jobField(job, "Nice")).isEqualTo("5");
        assertThat(jobField(job, "MinMemoryNode")).isEqualTo("64M");
        assertThat(jobField(job, "StdOut")).isEqualTo(dir.resolve("flags/trials/f1/stdout").toString());
        String seen = Files.readString(dir.resolve("flags/trials/f1/seen")).strip();
        assertThat(seen).matches("gpus=[01] job=" + job);
    }

    @Test
    void submittingWithTheSameTokenAgainFindsTheJobInsteadOfMakingASecond() throws Exception {
        Path script = Files.writeString(dir.resolve("once.sh"), "#!/bin/sh\nsleep 300\n");
        SlurmRestClient client = new SlurmRestClient(api(), Duration.ofSeconds(30));
        SlurmCommands commands = new RestSlurmCommands(client);
        // Cancelled while the client is still open.
        toClose.add(() -> assertThat(commands.run(List.of("scancel", "--name=hybrid-once")).ok()).isTrue());
        toClose.add(client);
        List<String> flags = List.of("--no-requeue", "--output=" + dir.resolve("once.out"), "--time=5",
                script.toString());

        SlurmCommands.Result first = commands.submitOnce("once.t1", "hybrid-once", flags);
        SlurmCommands.Result again = commands.submitOnce("once.t1", "hybrid-once", flags);
        SlurmCommands.Result other = commands.submitOnce("once.t2", "hybrid-once", flags);

        assertThat(first.ok()).as(first.stderr()).isTrue();
        assertThat(again.stdout()).isEqualTo(first.stdout());
        assertThat(other.stdout()).isNotBlank().isNotEqualTo(first.stdout());
        String id = first.stdout().strip();
        assertThat(commands.run(List.of("squeue", "-h", "-t", "all", "--name=hybrid-once", "-o", "%i|%k")).stdout()
                .lines()).contains(id + "|once.t1").hasSize(2);
        assertThat(jobField(id, "Comment")).isEqualTo("once.t1");
    }

    @Test
    void cancelEndsTheJobInSlurm() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = platform(options("cancel"), api());
        slurm.start(sink);
        TrialId id = TrialId.of("c1");
        slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.BLOCK));
        sink.awaitStarted(id, WAIT);
        String job = slurm.jobId(id).orElseThrow();

        slurm.cancel(id);

        assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(jobField(job, "JobState")).isEqualTo("CANCELLED");
    }

    @Test
    void reuseModeRunsTrialAfterTrialInOnePilotJob() throws Exception {
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = platform(options("reuse").withReuseMode(true), api());
        slurm.start(sink);
        List<String> pilots = new ArrayList<>();
        for (TrialId id : List.of(TrialId.of("r1"), TrialId.of("r2"))) {
            slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.BLOCK));
            sink.awaitStarted(id, WAIT);
            pilots.add(slurm.jobId(id).orElseThrow());
            slurm.cancel(id);
            assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.USER_CANCELED);
        }

        assertThat(pilots.get(1)).isEqualTo(pilots.get(0));
        assertThat(jobField(pilots.get(0), "JobState")).isEqualTo("RUNNING");
    }

    @Test
    void aBadTokenGivesOneClearErrorWithoutTheToken() throws Exception {
        SlurmCluster.Rest rest = SlurmCluster.current().rest();
        String bad = "eyJhbGciOiJIUzI1NiJ9.not-a-token-" + System.nanoTime();
        SlurmPlatform slurm = platform(options("badtoken"), SlurmRestApi.withToken(rest.url(), rest.user(),
                Secret.of(bad)));

        PlatformException e = catchThrowableOfType(PlatformException.class, () -> slurm.start(new RecordingSink()));

        assertThat(e).as("start fails").isNotNull();
        assertThat(e.getMessage()).contains("did not accept the token for user root").contains("restToken")
                .contains(rest.url().toString()).doesNotContain(bad).doesNotContain("not-a-token");
    }

    @Test
    void aTokenFileIsReadAndItsPrefixDropped() throws Exception {
        SlurmCluster.Rest rest = SlurmCluster.current().rest();
        Path file = dir.resolve("token");
        Files.writeString(file, "SLURM_JWT=" + rest.token() + "\n");
        RecordingSink sink = new RecordingSink();
        SlurmPlatform slurm = platform(options("tokenfile"), SlurmRestApi.withTokenFile(rest.url(), rest.user(), file));
        slurm.start(sink);
        TrialId id = TrialId.of("t1");
        slurm.submit(TrainingPlatformContract.scenarioSpec(id, 0, TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void aVersionTheServerDoesNotOfferIsNamedWithTheOffered() throws Exception {
        SlurmPlatform slurm = platform(options("version"), api().withApiVersion("v0.0.37"));

        PlatformException e = catchThrowableOfType(PlatformException.class, () -> slurm.start(new RecordingSink()));

        assertThat(e).as("start fails").isNotNull();
        assertThat(e.getMessage()).contains("offers OpenAPI versions [v0.0.36, v0.0.38], not v0.0.37")
                .contains("Hybrid speaks [v0.0.37, v0.0.38]");
    }
}
