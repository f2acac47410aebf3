package dev.hybrid.platform.aml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.PlatformException;
import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AmlPlatformTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final List<AutoCloseable> closeLast = new ArrayList<>();
    private final List<AutoCloseable> closeFirst = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeFirst) {
            c.close();
        }
        for (AutoCloseable c : closeLast) {
            c.close();
        }
    }

    private FakeAzure fake() throws Exception {
        FakeAzure f = FakeAzure.http(dir.resolve("fake"));
        closeLast.add(f);
        return f;
    }

    private AmlPlatform started(AmlPlatformOptions options, RecordingSink sink) {
        AmlPlatform p = AmlPlatform.create(options, Clock.systemUTC());
        closeFirst.add(p);
        p.start(sink);
        return p;
    }

    private static TrialSpec spec(String id, String scenario) {
        return new TrialSpec(new TrialId(id), 0, 0, new Parameters(Map.of("scenario", scenario)));
    }

    private static List<Metric> metrics(RecordingSink sink, TrialId id) {
        return sink.eventsOf(id).stream().filter(TrialEvent.MetricReported.class::isInstance)
                .map(e -> ((TrialEvent.MetricReported) e).metric()).toList();
    }

    @Test
    void bothChannelsAndDictMetricsArriveLosslesslyInOrder() throws Exception {
        FakeAzure fake = fake();
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 2),
                sink);
        TrialSpec s = spec("mixed1", "mixed");
        p.submit(s);
        TrialEvent.Ended ended = sink.awaitEnded(s.id(), WAIT);

        assertThat(ended.status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<Metric> m = metrics(sink, s.id());
        assertThat(m).extracting(Metric::type).containsExactly(MetricType.PERIODICAL, MetricType.PERIODICAL,
                MetricType.PERIODICAL, MetricType.FINAL);
        assertThat(m).extracting(Metric::sequence).containsExactly(0, 1, 2, 0);
        assertThat(m.get(0).scalar()).isEqualTo(10.0);
        assertThat(m.get(1).scalar()).isEqualTo(11.0);
        assertThat(m.get(2).decoded()).isEqualTo(Map.of("loss", 0.25, "acc", 0.5));
        assertThat(m.get(3).scalar()).isEqualTo(0.75);
        // The job got NNI's environment, and its tracking URI and run id were the service's.
        FakeAzure.Job job = fake.jobs().get(0);
        assertThat(job.properties.path("environmentVariables").path("NNI_PLATFORM").asText()).isEqualTo("aml");
        assertThat(job.metrics).containsKeys("nni.PERIODICAL", "nni.FINAL", "nni.tagged");
    }

    @Test
    void nniSdkTrialReportsThroughTheBundledModule() throws Exception {
        FakeAzure fake = fake();
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "python3 trial.py", AmlTrials.writeCode(dir.resolve("code")),
                2), sink);
        TrialSpec s = new TrialSpec(new TrialId("py1"), 0, 7, new Parameters(Map.of("x", 0.5)));
        p.submit(s);

        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        List<Metric> m = metrics(sink, s.id());
        assertThat(m).hasSize(5);
        assertThat(m.subList(0, 3)).extracting(Metric::scalar).containsExactly(0.0, 0.5, 1.0);
        assertThat(m.get(3).decoded()).isEqualTo(Map.of("default", 0.5, "extra", List.of(1, 2)));
        assertThat(m.get(4).type()).isEqualTo(MetricType.FINAL);
        assertThat(m.get(4).scalar()).isEqualTo(5.0);
    }

    @Test
    void metricsArriveWhileTheJobRuns() throws Exception {
        FakeAzure fake = fake();
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 2),
                sink);
        TrialSpec s = spec("many1", "many");
        p.submit(s);
        sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported, WAIT);
        assertThat(fake.jobs().get(0).status()).isEqualTo("Running");
        sink.awaitEnded(s.id(), WAIT);
        List<Metric> m = metrics(sink, s.id());
        assertThat(m).hasSize(31);
        for (int i = 0; i < 30; i++) {
            assertThat(m.get(i).scalar()).isEqualTo(i);
            assertThat(m.get(i).sequence()).isEqualTo(i);
        }
    }

    @Test
    void tokensThatExpireMidRunAreRenewedWithNothingLost() throws Exception {
        FakeAzure fake = fake();
        fake.tokenLifetimeSeconds = 2;
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 2),
                sink);
        TrialSpec s = spec("many2", "many");
        p.submit(s);
        sink.awaitEvent(e -> e instanceof TrialEvent.MetricReported, WAIT);
        // A token the service revokes early: ARM answers 401 ExpiredAuthenticationToken and the platform renews it.
        fake.expireAllTokens();
        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);

        assertThat(fake.expiredRejections.get()).isPositive();
        assertThat(fake.tokensIssued.get()).isGreaterThan(1);
        List<Metric> m = metrics(sink, s.id());
        assertThat(m).hasSize(31);
        assertThat(m.subList(0, 30)).extracting(Metric::scalar).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void wrongSecretFailsAtStartWithTheCodeAndAHintButNotTheSecret() throws Exception {
        FakeAzure fake = fake();
        AmlPlatformOptions bad = AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1);
        bad = new AmlPlatformOptions(bad.experimentId(), bad.trialCommand(), bad.codeDirectory(), bad.workspace(),
                bad.computeTarget(), bad.image(), 1, bad.gpuNumber(), bad.authorityHost(),
                bad.resourceManagerEndpoint(), AmlCredentials.servicePrincipal(FakeAzure.TENANT, FakeAzure.CLIENT,
                        Secret.of("not-the-secret-42")), bad.pollInterval(), bad.serviceLostAfter(),
                bad.sslContext(), bad.environment());
        AmlPlatform p = AmlPlatform.create(bad, Clock.systemUTC());
        closeFirst.add(p);

        assertThatThrownBy(() -> p.start(new RecordingSink())).isInstanceOf(PlatformException.class)
                .hasMessageContaining("AADSTS7000215").hasMessageContaining("hint")
                .hasMessageNotContaining("not-the-secret-42");
        assertThat(fake.jobs()).isEmpty();
    }

    @Test
    void environmentCredentialsAreUsedWhenTheConfigHasNone() throws Exception {
        FakeAzure fake = fake();
        AmlPlatformOptions o = AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1);
        o = new AmlPlatformOptions(o.experimentId(), o.trialCommand(), o.codeDirectory(), o.workspace(),
                o.computeTarget(), o.image(), 1, o.gpuNumber(), o.authorityHost(), o.resourceManagerEndpoint(),
                AmlCredentials.fromEnvironmentOrCli(), o.pollInterval(), o.serviceLostAfter(), o.sslContext(),
                Map.of("AZURE_TENANT_ID", FakeAzure.TENANT, "AZURE_CLIENT_ID", FakeAzure.CLIENT,
                        "AZURE_CLIENT_SECRET", FakeAzure.SECRET));
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(o, sink);
        TrialSpec s = spec("env1", "succeed");
        p.submit(s);
        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
    }

    @Test
    void throttlingAndServerErrorsAreRetriedHonouringRetryAfter() throws Exception {
        FakeAzure fake = fake();
        fake.throttleNext.set(2);
        fake.failNext.set(1);
        RecordingSink sink = new RecordingSink();
        long before = System.nanoTime();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1),
                sink);
        // Two 429s with Retry-After: 1 were waited out.
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        TrialSpec s = spec("t1", "succeed");
        p.submit(s);
        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.throttleNext.get()).isZero();
        assertThat(fake.failNext.get()).isZero();
    }

    @Test
    void unchangedCodeIsNotUploadedAgain() throws Exception {
        FakeAzure fake = fake();
        Path code = AmlTrials.writeCode(dir.resolve("code"));
        started(AmlTrials.options(fake, "bash trial.sh", code, 1), new RecordingSink()).close();
        int uploaded = fake.blobPuts.get();
        assertThat(uploaded).isGreaterThanOrEqualTo(5);
        assertThat(fake.blobs().keySet()).anyMatch(k -> k.endsWith("/trial.sh"))
                .anyMatch(k -> k.endsWith("/.hybrid-aml/forwarder.py"));

        started(AmlTrials.options(fake, "bash trial.sh", code, 1), new RecordingSink()).close();
        assertThat(fake.blobPuts.get()).isEqualTo(uploaded);

        java.nio.file.Files.writeString(code.resolve("new.txt"), "changed");
        started(AmlTrials.options(fake, "bash trial.sh", code, 1), new RecordingSink()).close();
        assertThat(fake.blobPuts.get()).isGreaterThan(uploaded);
    }

    @Test
    void cancelWhileQueuedEndsUserCanceledWithoutRunning() throws Exception {
        FakeAzure fake = fake();
        fake.holdQueued = true;
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1),
                sink);
        TrialSpec s = spec("q1", "succeed");
        p.submit(s);
        fake.requests.clear();
        sink.expectNoEvent(Duration.ofMillis(500));
        p.cancel(s.id());
        TrialEvent.Ended ended = sink.awaitEnded(s.id(), WAIT);

        assertThat(ended.status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(sink.eventsOf(s.id())).noneMatch(TrialEvent.Started.class::isInstance);
        assertThat(fake.jobs().get(0).status()).isEqualTo("Canceled");
        assertThat(fake.jobs().get(0).process).isNull();
        // The cancel operation was followed through its Location.
        assertThat(fake.requests).anyMatch(r -> r.startsWith("POST ") && r.endsWith("/cancel"))
                .anyMatch(r -> r.startsWith("GET ") && r.contains("/operations/"));
    }

    @Test
    void anUnreachableServiceMakesThePlatformRefuseTrialsNotFailThem() throws Exception {
        FakeAzure fake = FakeAzure.http(dir.resolve("fake"));
        RecordingSink sink = new RecordingSink();
        AmlPlatformOptions o = AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 2)
                .withPolling(Duration.ofMillis(100), Duration.ofSeconds(1));
        AmlPlatform p = started(o, sink);
        TrialSpec s = spec("b1", "block");
        p.submit(s);
        sink.awaitStarted(s.id(), WAIT);
        fake.close();

        TrialEvent.Ended ended = sink.awaitEnded(s.id(), Duration.ofSeconds(90));
        assertThat(ended.status()).isEqualTo(TrialStatus.SYS_CANCELED);
        assertThat(p.freeSlots()).isZero();
        assertThatThrownBy(() -> p.submit(spec("b2", "succeed"))).isInstanceOf(PlatformException.class)
                .matches(e -> ((PlatformException) e).isRetryable());
    }

    @Test
    void runsOverTlsWithTheWorkspacesAzuremlTrackingUri() throws Exception {
        SelfSignedTls tls = SelfSignedTls.create(dir.resolve("tls"));
        FakeAzure fake = FakeAzure.https(dir.resolve("fake"), tls.server, tls.pem);
        closeLast.add(fake);
        assertThat(fake.trackingUri()).startsWith("azureml://");
        RecordingSink sink = new RecordingSink();
        AmlPlatform p = started(AmlTrials.options(fake, "bash trial.sh", AmlTrials.writeCode(dir.resolve("code")), 1)
                .withSslContext(tls.client), sink);
        TrialSpec s = spec("tls1", "succeed");
        p.submit(s);

        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(metrics(sink, s.id())).extracting(Metric::scalar).containsExactly(1.0, 2.0, 3.0, 4.0);
    }

    @Test
    void jobsAnEarlierRunLeftRunningAreCancelledWhenTheExperimentStartsAgain() throws Exception {
        FakeAzure fake = fake();
        Path code = AmlTrials.writeCode(dir.resolve("code"));
        RecordingSink first = new RecordingSink();
        // The first run "dies": its platform is never closed, so nothing cancels its job.
        AmlPlatform dead = AmlPlatform.create(AmlTrials.options(fake, "bash trial.sh", code, 1)
                .withPolling(Duration.ofHours(1), Duration.ofMinutes(5)), Clock.systemUTC());
        dead.start(first);
        dead.submit(spec("old1", "block"));
        assertThat(fake.awaitJobs(1, WAIT)).isTrue();

        RecordingSink sink = new RecordingSink();
        AmlPlatform again = started(AmlTrials.options(fake, "bash trial.sh", code, 1), sink);
        FakeAzure.Job old = fake.jobs().get(0);
        assertThat(old.cancelRequested).isTrue();
        TrialSpec s = spec("old1", "succeed");
        again.submit(s);
        assertThat(sink.awaitEnded(s.id(), WAIT).status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(fake.jobs()).hasSize(2).extracting(j -> j.name).doesNotHaveDuplicates();
        assertThat(old.status()).isEqualTo("Canceled");
        closeFirst.add(dead);
    }
}
