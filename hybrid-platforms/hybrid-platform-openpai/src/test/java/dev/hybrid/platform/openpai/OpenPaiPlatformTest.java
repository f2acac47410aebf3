package dev.hybrid.platform.openpai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.testkit.TrainingPlatformContract;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenPAI platform against the fake rest-server: queueing, throttling, outages, stops, tokens, protocols. */
class OpenPaiPlatformTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofMillis(400);

    @TempDir
    Path dir;
    private Path storage;
    private Path code;
    private FakeOpenPai fake;
    private OpenPaiPlatform platform;
    private final RecordingSink sink = new RecordingSink();

    @BeforeEach
    void startFake() throws Exception {
        storage = Files.createDirectories(dir.resolve("storage"));
        code = Files.createDirectories(dir.resolve("code"));
        Files.writeString(code.resolve("trial.sh"), PaiTrialScripts.SCENARIOS);
        fake = FakeOpenPai.start(storage);
    }

    @AfterEach
    void stop() {
        if (platform != null) {
            platform.close();
        }
        fake.close();
    }

    private OpenPaiConfig config() {
        return OpenPaiPlatformContractTest.config(fake, storage).withLimits(4, 1000);
    }

    private OpenPaiPlatform start(OpenPaiConfig config) {
        platform = OpenPaiPlatform.create(config, "exp1", dir.resolve("exp"), "bash trial.sh", code,
                Clock.systemUTC());
        platform.start(sink);
        return platform;
    }

    private static TrialSpec trial(String id, String scenario) {
        return TrainingPlatformContract.scenarioSpec(TrialId.of(id), 0, scenario);
    }

    private String jobOf(String trialId) {
        return fake.states().keySet().stream().filter(n -> n.contains("_" + trialId + "_")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no job for " + trialId + " in " + fake.states()));
    }

    @Test
    void everySubmittedProtocolIsValidAgainstTheSchemaAndSentAsYaml() {
        start(config());
        platform.submit(trial("t1", TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(TrialId.of("t1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);

        String yaml = fake.protocols().get(0);
        assertThat(yaml).contains("protocolVersion: 2").contains("name: hybrid_4_exp1_t1_")
                .contains("type: job").contains("uri: msranni/nni:latest").contains("mountPath: /mnt/confignfs-data")
                .contains("NNI_PLATFORM='pai'").contains("NNI_SYS_DIR='/mnt/confignfs-data/exp1/trials/t1'");
        assertThat(fake.requests()).anyMatch(r -> r.startsWith("POST /rest-server/api/v2/jobs"));
        // States come from the list call only, never from one GET per job.
        assertThat(fake.requests()).anyMatch(r -> r.startsWith("GET /rest-server/api/v2/jobs?username=alice&keyword="))
                .noneMatch(r -> r.startsWith("GET /rest-server/api/v2/jobs/"));
        // The trial's folder and the code are on the storage, as the container saw them.
        assertThat(storage.resolve("exp1/nni-code/trial.sh")).exists();
        assertThat(storage.resolve("exp1/trials/t1/parameter.cfg")).exists();
        assertThat(storage.resolve("exp1/trials/t1/stdout")).content().contains("hello from t1 on pai");
    }

    @Test
    void theSchemaAcceptsOpenPaisExampleAndRefusesABrokenProtocol() throws Exception {
        // The schema sits outside the repository (shared/specs/openpai); without it the fake checks only what the
        // rest-server checks beyond the schema.
        assumeTrue(fake.validatesAgainstSchema(), "shared/specs/openpai/schema.yaml is not present");
        ProtocolSchema schema = ProtocolSchema.find().orElseThrow();
        Object good = new ObjectMapper(new YAMLFactory()).readValue(
                ProtocolSchema.specFile("hello-world-job.yaml").orElseThrow().toFile(), Object.class);
        assertThat(schema.validate(good)).isEmpty();
        Map<String, Object> bad = Map.of("protocolVersion", 3, "name", "bad name", "type", "job",
                "prerequisites", List.of(), "taskRoles", Map.of());
        assertThat(schema.validate(bad)).anyMatch(e -> e.startsWith("$.protocolVersion"))
                .anyMatch(e -> e.startsWith("$.name")).anyMatch(e -> e.startsWith("$.prerequisites"));
    }

    @Test
    void aJobWaitingInTheClusterQueueIsAWaitingTrialUntilItRuns() {
        fake.capacity(0);
        start(config());
        TrialSpec spec = trial("q1", TrainingPlatformContract.SUCCEED);
        platform.submit(spec);

        sink.expectNoEvent(e -> e instanceof TrialEvent.Started, QUIET);
        assertThat(fake.states()).containsValue("WAITING");

        fake.capacity(1);
        sink.awaitStarted(spec.id(), WAIT);
        assertThat(sink.awaitEnded(spec.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void aResumedExperimentsJobsNeverTakeTheNamesOfItsEarlierJobs() {
        start(config());
        platform.submit(trial("t1", TrainingPlatformContract.SUCCEED));
        sink.awaitEnded(TrialId.of("t1"), WAIT);
        platform.close();

        // The same experiment and trial again, as a resume runs an unfinished trial again with its id.
        RecordingSink again = new RecordingSink();
        platform = OpenPaiPlatform.create(config(), "exp1", dir.resolve("exp"), "bash trial.sh", code,
                Clock.systemUTC());
        platform.start(again);
        platform.submit(trial("t1", TrainingPlatformContract.SUCCEED));

        assertThat(again.awaitEnded(TrialId.of("t1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.states()).hasSize(2);
        assertThat(fake.requests()).filteredOn(r -> r.startsWith("POST ")).hasSize(2);
    }

    @Test
    void jobsLeftRunningByAnEarlierRunOfTheExperimentAreStoppedAtStart() {
        // A run whose process died: its platform is never closed, its job goes on in the cluster.
        OpenPaiPlatform crashed = OpenPaiPlatform.create(config(), "exp1", dir.resolve("exp"), "bash trial.sh", code,
                Clock.systemUTC());
        RecordingSink first = new RecordingSink();
        crashed.start(first);
        try {
            crashed.submit(trial("t1", TrainingPlatformContract.BLOCK));
            first.awaitStarted(TrialId.of("t1"), WAIT);
            String job = jobOf("t1");

            start(config());

            assertThat(fake.states().get(job)).isIn("STOPPING", "STOPPED");
        } finally {
            crashed.close();
        }
    }

    @Test
    void jobsLeftByAnEarlierRunAreStoppedOnceAClusterUnreachableAtStartAnswers() throws Exception {
        OpenPaiPlatform crashed = OpenPaiPlatform.create(config(), "exp1", dir.resolve("exp"), "bash trial.sh", code,
                Clock.systemUTC());
        RecordingSink first = new RecordingSink();
        crashed.start(first);
        try {
            crashed.submit(trial("t1", TrainingPlatformContract.BLOCK));
            first.awaitStarted(TrialId.of("t1"), WAIT);
            String job = jobOf("t1");

            fake.silent(true);
            start(config());
            assertThat(fake.states().get(job)).isEqualTo("RUNNING");
            fake.silent(false);
            platform.poll();

            assertThat(fake.states().get(job)).isIn("STOPPING", "STOPPED");
        } finally {
            crashed.close();
        }
    }

    @Test
    void anotherExperimentsJobsAreLeftAloneEvenWhenItsIdStartsWithThisOne() {
        OpenPaiPlatform other = OpenPaiPlatform.create(config(), "exp1_b", dir.resolve("other"), "bash trial.sh", code,
                Clock.systemUTC());
        RecordingSink first = new RecordingSink();
        other.start(first);
        try {
            other.submit(trial("t1", TrainingPlatformContract.BLOCK));
            first.awaitStarted(TrialId.of("t1"), WAIT);
            String job = jobOf("t1");

            start(config());
            platform.submit(trial("t2", TrainingPlatformContract.SUCCEED));
            sink.awaitEnded(TrialId.of("t2"), WAIT);

            assertThat(fake.states().get(job)).isEqualTo("RUNNING");
            assertThat(first.eventsOf(TrialId.of("t1"))).noneMatch(e -> e instanceof TrialEvent.Ended);
        } finally {
            other.close();
        }
    }

    @Test
    void aThrottledSubmissionWaitsForRetryAfterAndRuns() {
        fake.throttleSubmissions(2, 1);
        start(config());
        platform.submit(trial("r1", TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(TrialId.of("r1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.requests()).filteredOn(r -> r.startsWith("POST ")).hasSize(3);
    }

    @Test
    void aSubmissionAnsweredByAProxyErrorIsRetriedWithBackoffAndRuns() {
        fake.failSubmissions(2);
        start(config());
        platform.submit(trial("e1", TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(TrialId.of("e1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.requests()).filteredOn(r -> r.startsWith("POST ")).hasSize(3);
    }

    @Test
    void aJobDeletedFromTheClusterEndsItsTrialSysCanceled() {
        start(config());
        TrialId id = TrialId.of("d1");
        platform.submit(trial("d1", TrainingPlatformContract.BLOCK));
        sink.awaitStarted(id, WAIT);

        fake.deleteJob(jobOf("d1"));

        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);
        assertThat(ended.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(ended.message()).contains("no longer in the cluster");
    }

    @Test
    void aTakenJobNameIsReplacedAndTheTrialRuns() {
        fake.conflictSubmissions(1);
        start(config());
        platform.submit(trial("c1", TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(TrialId.of("c1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.protocols()).hasSize(2);
        assertThat(fake.protocols().get(0)).isNotEqualTo(fake.protocols().get(1));
    }

    @Test
    void freeSlotsCountTheSubmissionsOfTheLastHour() {
        start(config().withLimits(10, 2));
        platform.submit(trial("h1", TrainingPlatformContract.SUCCEED));
        platform.submit(trial("h2", TrainingPlatformContract.SUCCEED));
        sink.awaitEnded(TrialId.of("h1"), WAIT);
        sink.awaitEnded(TrialId.of("h2"), WAIT);

        assertThat(platform.freeSlots()).isZero();
        assertThatThrownBy(() -> platform.submit(trial("h3", TrainingPlatformContract.SUCCEED)))
                .isInstanceOf(PlatformException.class).hasMessageContaining("2 submissions in the last hour")
                .matches(e -> ((PlatformException) e).isRetryable());
    }

    @Test
    void aSilentApiLosesNothingAndTheJobIsFollowedAgainWhenItAnswers() {
        start(config());
        TrialId id = TrialId.of("s1");
        platform.submit(TrainingPlatformContract.scenarioSpec(id, 0, "ticks"));
        sink.awaitStarted(id, WAIT);

        fake.silent(true);
        // Two list calls that get no answer within the request timeout: the API is silent for four seconds or more,
        // longer than the trial has left to run.
        platform.poll();
        platform.poll();
        assertThat(platform.freeSlots()).as("unreachable: no new trials").isZero();
        assertThat(sink.eventsOf(id)).noneMatch(e -> e instanceof TrialEvent.Ended);
        fake.silent(false);

        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);
        assertThat(ended.status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<Double> intermediate = sink.eventsOf(id).stream()
                .filter(e -> e instanceof TrialEvent.MetricReported m && m.metric().type() == MetricType.PERIODICAL)
                .map(e -> ((TrialEvent.MetricReported) e).metric().scalar()).toList();
        assertThat(intermediate).hasSize(30).isSorted();
        assertThat(sink.eventsOf(id)).filteredOn(e -> e instanceof TrialEvent.MetricReported m
                && m.metric().type() == MetricType.FINAL).hasSize(1);
        assertThat(platform.freeSlots()).isPositive();
    }

    @Test
    void aSubmissionWithoutAnAnswerIsNotRunTwiceWhenTheClusterComesBack() throws Exception {
        start(config());
        fake.silent(true);
        TrialId id = TrialId.of("n1");
        // The fake reads the request, then answers nothing: the platform cannot know whether the job was taken. It
        // sends the job again only once the first try has timed out.
        platform.submit(trial("n1", TrainingPlatformContract.SUCCEED));
        fake.awaitRequests("POST ", 2, WAIT);
        assertThat(platform.freeSlots()).isZero();

        fake.silent(false);

        assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.states()).as("one job, not two").hasSize(1);
        assertThat(sink.eventsOf(id)).filteredOn(e -> e instanceof TrialEvent.Started).hasSize(1);
    }

    @Test
    void aRefusedConnectionAtStartFailsNothingAndLeavesThePlatformWithoutFreeSlots() throws Exception {
        Path storage2 = Files.createDirectories(dir.resolve("storage2"));
        FakeOpenPai gone = FakeOpenPai.start(storage2);
        OpenPaiConfig refused = OpenPaiPlatformContractTest.config(gone, storage2);
        gone.close(); // nothing listens on its port any more

        start(refused);

        assertThat(platform.freeSlots()).isZero();
        assertThatThrownBy(() -> platform.submit(trial("z1", TrainingPlatformContract.SUCCEED)))
                .isInstanceOf(PlatformException.class).hasMessageContaining("cannot be reached")
                .matches(e -> ((PlatformException) e).isRetryable());
    }

    @Test
    void anUnreachableClusterAtStartFailsNoTrialAndIsUsedOnceItAnswers() {
        fake.silent(true);
        start(config());
        assertThat(platform.freeSlots()).isZero();

        fake.silent(false);
        platform.poll();
        assertThat(platform.freeSlots()).isPositive();
    }

    @Test
    void aJobStoppedBySomeoneElseEndsItsTrialSysCanceled() {
        start(config());
        TrialId id = TrialId.of("x1");
        platform.submit(trial("x1", TrainingPlatformContract.BLOCK));
        sink.awaitStarted(id, WAIT);

        fake.stopJob(jobOf("x1"));

        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);
        assertThat(ended.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(ended.message()).contains("stopped in the cluster");
    }

    @Test
    void cancellingAQueuedJobStopsItInTheCluster() {
        fake.capacity(0);
        start(config());
        TrialId id = TrialId.of("w1");
        platform.submit(trial("w1", TrainingPlatformContract.BLOCK));
        // Wait until the job is in the cluster's queue, then cancel it there.
        sink.expectNoEvent(e -> e instanceof TrialEvent.Started, QUIET);
        String job = jobOf("w1");

        platform.cancel(id);

        assertThat(sink.awaitEnded(id, WAIT).status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(fake.states().get(job)).isIn("STOPPING", "STOPPED");
        assertThat(fake.requests()).anyMatch(r -> r.startsWith("PUT /rest-server/api/v2/jobs/alice~" + job
                + "/executionType") || r.startsWith("PUT /rest-server/api/v2/jobs/alice%7E" + job));
    }

    @Test
    void closeStopsEveryJobStillWaitingOrRunning() {
        fake.capacity(1);
        start(config());
        platform.submit(trial("b1", TrainingPlatformContract.BLOCK));
        platform.submit(trial("b2", TrainingPlatformContract.BLOCK));
        sink.awaitStarted(TrialId.of("b1"), WAIT);
        sink.expectNoEvent(e -> e instanceof TrialEvent.Started && e.trial().equals(TrialId.of("b2")), QUIET);
        assertThat(fake.states()).containsValues("RUNNING", "WAITING");

        platform.close();

        assertThat(fake.states().values()).hasSize(2).allMatch(s -> s.equals("STOPPING") || s.equals("STOPPED"));
    }

    @Test
    void aRejectedTokenFailsStartNamingTheHostAndUserButNotTheToken() {
        OpenPaiConfig wrong = OpenPaiConfig.of(URI.create(fake.url()), FakeOpenPai.USER,
                Secret.of("not-the-token-9a7"), storage, "/mnt/" + FakeOpenPai.STORAGE, FakeOpenPai.STORAGE);
        platform = OpenPaiPlatform.create(wrong, "exp1", dir.resolve("exp"), "bash trial.sh", code,
                Clock.systemUTC());

        assertThatThrownBy(() -> platform.start(sink)).isInstanceOf(PlatformException.class)
                .hasMessageContaining("token rejected").hasMessageContaining(fake.url())
                .hasMessageContaining("user alice").hasMessageNotContaining("not-the-token-9a7")
                .matches(e -> !((PlatformException) e).isRetryable());
        assertThat(wrong.toString()).doesNotContain("not-the-token-9a7").contains("****");
    }

    @Test
    void aTokenRevokedMidRunEndsTheUnfinishedTrialsSysCanceled() {
        start(config());
        TrialId id = TrialId.of("v1");
        platform.submit(trial("v1", TrainingPlatformContract.BLOCK));
        sink.awaitStarted(id, WAIT);

        fake.revokeToken();

        TrialEvent.Ended ended = sink.awaitEnded(id, WAIT);
        assertThat(ended.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(ended.message()).contains("rejected the token of user alice");
        assertThat(platform.freeSlots()).isZero();
    }

    @Test
    void aUserProtocolIsCopiedRenamedAndItsCommandsWrapped() {
        Map<String, Object> protocol = Map.of("protocolVersion", 2, "name", "my-own-job", "type", "job",
                "prerequisites", List.of(Map.of("type", "dockerimage", "uri", "python:3.11", "name", "image")),
                "taskRoles", Map.of("main", Map.of("instances", 1, "dockerImage", "image",
                        "resourcePerInstance", Map.of("cpu", 2, "memoryMB", 4096, "gpu", 0),
                        "commands", List.of("echo preparing", "bash trial.sh"))),
                "extras", Map.of("storages", List.of(Map.of("name", FakeOpenPai.STORAGE))));
        start(config().withUserProtocol(protocol));
        platform.submit(trial("u1", TrainingPlatformContract.SUCCEED));

        assertThat(sink.awaitEnded(TrialId.of("u1"), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        String yaml = fake.protocols().get(0);
        assertThat(yaml).doesNotContain("my-own-job").contains("name: hybrid_4_exp1_u1_").contains("uri: python:3.11")
                .contains("echo preparing && bash trial.sh").contains("NNI_PLATFORM='pai'");
        assertThat(protocol.get("name")).isEqualTo("my-own-job");
        assertThat(sink.eventsOf(TrialId.of("u1"))).anyMatch(e -> e instanceof TrialEvent.MetricReported m
                && m.metric().type() == MetricType.FINAL && m.metric().scalar() == 4.0);
    }

    @Test
    void aPythonTrialReportsThroughTheBundledNniModule() throws Exception {
        Files.writeString(code.resolve("trial.py"), String.join("\n",
                "import nni",
                "p = nni.get_next_parameter()",
                "nni.report_intermediate_result(0.5)",
                "nni.report_final_result(0.75 if p['scenario'] == 'succeed' else 0.0)",
                ""));
        platform = OpenPaiPlatform.create(config(), "exp1", dir.resolve("exp"), "python3 trial.py", code,
                Clock.systemUTC());
        platform.start(sink);
        TrialId id = TrialId.of("py1");
        platform.submit(trial("py1", TrainingPlatformContract.SUCCEED));

        TrialEvent.Ended ended = sink.awaitEnded(id, Duration.ofSeconds(60));
        assertThat(ended.status()).as(ended.message()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(sink.eventsOf(id)).filteredOn(e -> e instanceof TrialEvent.MetricReported)
                .extracting(e -> ((TrialEvent.MetricReported) e).metric().scalar()).containsExactly(0.5, 0.75);
    }
}
