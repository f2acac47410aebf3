package dev.hybrid.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.testkit.FakeClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's JSON API over a stored experiment, and its refusals. */
public class DashboardApiTest {
    static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1),
            new Choice("opt", List.of(new ChoiceOption.Value("sgd"), new ChoiceOption.Value("adam"))));

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** Runs a finished experiment of 12 in-process trials: value 1 - |x - 0.3| (+0.5 with adam), 5 steps each. */
    public static Path finishedExperiment(Path work, String id) throws Exception {
        try (Experiment e = Experiment.builder().experimentId(id).workingDirectory(work).searchSpace(SPACE)
                .tuner("Random", Map.of()).seed(7).maxTrialNumber(12).trialConcurrency(3)
                .trialFunction((p, r) -> {
                    double v = 1 - Math.abs(p.getDouble("x") - 0.3) + ("adam".equals(p.getString("opt")) ? 0.5 : 0);
                    for (int step = 1; step <= 5; step++) {
                        r.reportIntermediate(v * step / 5);
                    }
                    r.reportFinal(v);
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        }
        return work.resolve(id);
    }

    @Test
    void aWorkingDirectoryAndAnIdNameTheExperiment(@TempDir Path work) throws Exception {
        finishedExperiment(work, "api7");

        try (Dashboard d = Dashboard.serve(work, "api7", DashboardOptions.defaults())) {
            assertThat(new Http(d.port()).get("/api/overview").json().get("id").asText()).isEqualTo("api7");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Dashboard.serve(work, "../api7",
                DashboardOptions.defaults())).isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Dashboard.serve(work, "nosuch",
                DashboardOptions.defaults())).isInstanceOf(dev.hybrid.store.StoreException.class)
                .hasMessageContaining("no experiment");
    }

    private Http serve(Path dir) {
        Dashboard d = Dashboard.serve(dir, DashboardOptions.defaults());
        open.add(d);
        assertThat(d.url().toString()).startsWith("http://127.0.0.1:" + d.port() + "/").doesNotContain("token");
        return new Http(d.port());
    }

    @Test
    void overviewShowsTheStoredExperimentItsBestTrialAndPlatformCounts(@TempDir Path work) throws Exception {
        Http http = serve(finishedExperiment(work, "api1"));

        JsonNode o = http.get("/api/overview").json();

        assertThat(o.get("id").asText()).isEqualTo("api1");
        assertThat(o.get("status").asText()).isEqualTo("DONE");
        assertThat(o.get("live").asBoolean()).isFalse();
        assertThat(o.get("trialCount").asInt()).isEqualTo(12);
        assertThat(o.get("trialsDone").asInt()).isEqualTo(12);
        assertThat(o.get("maxTrialNumber").asInt()).isEqualTo(12);
        assertThat(o.get("trialConcurrency").asInt()).isEqualTo(3);
        assertThat(o.get("tuner").asText()).isEqualTo("Random");
        assertThat(o.get("counts").get("SUCCEEDED").asInt()).isEqualTo(12);
        JsonNode platform = o.get("platforms").get(0);
        assertThat(platform.get("platform").asText()).isEqualTo("in-process");
        assertThat(platform.get("done").asInt()).isEqualTo(12);
        double best = o.get("best").get("value").asDouble();
        JsonNode all = http.get("/api/trials?limit=100").json();
        double max = 0;
        for (JsonNode t : all.get("rows")) {
            max = Math.max(max, t.get("value").asDouble());
        }
        assertThat(best).isEqualTo(max);
        assertThat(o.get("best").get("parameters").has("x")).isTrue();
    }

    @Test
    void trialsArePagedSortedAndFilteredOnTheServer(@TempDir Path work) throws Exception {
        Http http = serve(finishedExperiment(work, "api2"));

        JsonNode page = http.get("/api/trials?sort=value&order=desc&offset=5&limit=4").json();
        JsonNode all = http.get("/api/trials?sort=value&order=desc&limit=100").json();

        assertThat(page.get("total").asInt()).isEqualTo(12);
        assertThat(page.get("offset").asInt()).isEqualTo(5);
        assertThat(page.get("rows")).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(page.get("rows").get(i).get("id")).isEqualTo(all.get("rows").get(5 + i).get("id"));
        }
        for (int i = 1; i < 12; i++) {
            assertThat(all.get("rows").get(i - 1).get("value").asDouble())
                    .isGreaterThanOrEqualTo(all.get("rows").get(i).get("value").asDouble());
        }
        assertThat(page.get("parameterNames")).extracting(JsonNode::asText).containsExactlyInAnyOrder("x", "opt");
        JsonNode byParam = http.get("/api/trials?sort=param.x&limit=100").json();
        for (int i = 1; i < 12; i++) {
            assertThat(byParam.get("rows").get(i - 1).get("parameters").get("x").asDouble())
                    .isLessThanOrEqualTo(byParam.get("rows").get(i).get("parameters").get("x").asDouble());
        }
        assertThat(http.get("/api/trials?status=SUCCEEDED").json().get("total").asInt()).isEqualTo(12);
        assertThat(http.get("/api/trials?status=FAILED").json().get("total").asInt()).isZero();
        assertThat(http.get("/api/trials?platform=in-process").json().get("total").asInt()).isEqualTo(12);
        assertThat(http.get("/api/trials?platform=local").json().get("total").asInt()).isZero();
    }

    @Test
    void badQueriesAreRefusedNamingTheParameter(@TempDir Path work) throws Exception {
        Http http = serve(finishedExperiment(work, "api3"));

        Http.Response sort = http.get("/api/trials?sort=colour");
        Http.Response status = http.get("/api/trials?status=FINISHED");
        Http.Response offset = http.get("/api/trials?offset=-3");
        Http.Response trial = http.get("/api/trials/nosuch");

        assertThat(sort.status()).isEqualTo(400);
        assertThat(sort.json().get("error").asText()).startsWith("sort: unknown key 'colour'");
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.json().get("error").asText()).startsWith("status: unknown trial status 'FINISHED'");
        assertThat(offset.status()).isEqualTo(400);
        assertThat(offset.json().get("error").asText()).startsWith("offset: ");
        assertThat(trial.status()).isEqualTo(404);
    }

    @Test
    void aTrialShowsItsIntermediateResultsAndTheChartsAggregateEveryTrial(@TempDir Path work) throws Exception {
        Http http = serve(finishedExperiment(work, "api4"));
        String id = http.get("/api/trials?limit=1").json().get("rows").get(0).get("id").asText();

        JsonNode t = http.get("/api/trials/" + id).json();
        JsonNode best = http.get("/api/charts/best").json();
        JsonNode curves = http.get("/api/charts/curves").json();
        JsonNode parallel = http.get("/api/charts/parallel").json();
        JsonNode timeline = http.get("/api/charts/timeline").json();
        JsonNode importance = http.get("/api/charts/importance").json();

        assertThat(t.get("intermediate")).hasSize(5);
        assertThat(t.get("intermediate").get(4).get("value").asDouble()).isEqualTo(t.get("value").asDouble(),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(t.get("final").asDouble()).isEqualTo(t.get("value").asDouble());
        assertThat(best.get("byTrial")).hasSize(12);
        JsonNode last = best.get("byTrial").get(11);
        assertThat(last.get(2).asDouble()).isEqualTo(http.get("/api/overview").json().get("best").get("value")
                .asDouble());
        assertThat(best.get("byTime")).hasSize(12);
        assertThat(curves.get("series")).hasSize(12);
        assertThat(curves.get("series").get(0).get("points")).hasSize(5);
        assertThat(parallel.get("dimensions")).hasSize(2);
        assertThat(parallel.get("rows")).hasSize(12);
        assertThat(timeline.get("lanes")).extracting(JsonNode::asText).containsExactly("in-process");
        assertThat(timeline.get("bars")).hasSize(12);
        // Bars of one lane that overlap in time are on different rows of it, each row below the lane's row count.
        List<JsonNode> bars = new ArrayList<>();
        timeline.get("bars").forEach(bars::add);
        for (JsonNode a : bars) {
            assertThat(a.get(6).asInt()).isBetween(0, a.get(7).asInt() - 1);
            for (JsonNode b : bars) {
                boolean overlap = a != b && a.get(0).asInt() == b.get(0).asInt()
                        && a.get(1).asDouble() < b.get(2).asDouble() && b.get(1).asDouble() < a.get(2).asDouble();
                if (overlap) {
                    assertThat(a.get(6).asInt()).as("rows of overlapping bars %s and %s", a, b)
                            .isNotEqualTo(b.get(6).asInt());
                }
            }
        }
        // opt adds 0.5 and x moves the value by at most 0.7: opt explains more of the variance than x.
        assertThat(importance.get("parameters")).isNotEmpty();
        assertThat(importance.get("method").asText()).contains("eta squared");
    }

    @Test
    void aTrialsLogTailsComeFromItsFolder(@TempDir Path work) throws Exception {
        Path dir = finishedExperiment(work, "api5");
        Http http = serve(dir);
        String id = http.get("/api/trials?limit=1").json().get("rows").get(0).get("id").asText();
        Path trialDir = Files.createDirectories(dir.resolve("trials").resolve(id));
        Files.writeString(trialDir.resolve("stdout"), "x".repeat(40_000) + "\nepoch 1\nlast line of stdout\n");
        Files.writeString(trialDir.resolve("stderr"), "a warning\n");

        JsonNode logs = http.get("/api/trials/" + id).json().get("logs");

        assertThat(logs.get("stdout").asText()).endsWith("epoch 1\nlast line of stdout\n").startsWith("[... ")
                .hasSizeLessThan(17_000);
        assertThat(logs.get("stderr").asText()).isEqualTo("a warning\n");
    }

    @Test
    void stateChangingRequestsNeedTheTokenAndTheSameOrigin(@TempDir Path work) throws Exception {
        Path dir = finishedExperiment(work, "api6");
        Http http = serve(dir);
        String page = http.get("/").body();
        String token = page.replaceAll("(?s).*name=\"hybrid-token\" content=\"([^\"]+)\".*", "$1");
        String origin = "http://127.0.0.1:" + http.port();

        Http.Response noToken = http.post("/api/stop", Map.of("Origin", origin), "{}");
        Http.Response wrongToken = http.post("/api/stop", Map.of("Origin", origin, "X-Hybrid-Token", "guess"), "{}");
        Http.Response otherOrigin = http.post("/api/stop", Map.of("Origin", "http://evil.example",
                "X-Hybrid-Token", token), "{}");
        Http.Response noOrigin = http.post("/api/stop", Map.of("X-Hybrid-Token", token), "{}");
        Http.Response rebound = http.get("/api/overview", Map.of("Host", "evil.example:" + http.port()));
        Http.Response allowed = http.post("/api/stop", Map.of("Origin", origin, "X-Hybrid-Token", token), "{}");

        assertThat(token).hasSizeGreaterThan(20).doesNotContain("{{");
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(wrongToken.status()).isEqualTo(403);
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(otherOrigin.json().get("error").asText()).contains("Origin http://evil.example");
        assertThat(noOrigin.status()).isEqualTo(403);
        assertThat(rebound.status()).isEqualTo(403);
        // Past the checks: a finished experiment of another process cannot be steered from here.
        assertThat(allowed.status()).isEqualTo(409);
        assertThat(http.get("/api/overview").json().get("status").asText()).isEqualTo("DONE");
    }

    @Test
    void anExperimentKeptInMemoryIsServedFromItsHandle() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("mem1").searchSpace(SPACE).tuner("Random", Map.of())
                .maxTrialNumber(6).trialFunction((p, r) -> {
                    r.reportIntermediate(p.getDouble("x") / 2);
                    r.reportFinal(p.getDouble("x"));
                }).build()) {
            ExperimentHandle h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            try (Dashboard d = Dashboard.serve(e, DashboardOptions.defaults())) {
                Http http = new Http(d.port());
                JsonNode o = http.get("/api/overview").json();
                JsonNode first = http.get("/api/trials?limit=1").json().get("rows").get(0);

                assertThat(o.get("id").asText()).isEqualTo("mem1");
                assertThat(o.get("trialCount").asInt()).isEqualTo(6);
                assertThat(o.get("maxTrialNumber").asInt()).isEqualTo(6);
                assertThat(o.get("best").get("value").asDouble()).isEqualTo(h.bestTrial().orElseThrow().finalValue()
                        .orElseThrow());
                assertThat(http.get("/api/trials/" + first.get("id").asText()).json().get("intermediate"))
                        .hasSize(1);
                assertThat(http.get("/api/charts/curves").json().get("series")).hasSize(6);
            }
        }
    }

    @Test
    void aViewOfAFinishedExperimentShowsTheTrialsOfALaterResume(@TempDir Path work) throws Exception {
        Path dir = finishedExperiment(work, "api8");
        // The page's clock stands still, so nothing is rebuilt behind the test's back; moved past the few seconds
        // after which views of a changed experiment are stale, the next request builds them from the latest state.
        FakeClock clock = new FakeClock();
        Dashboard d = Dashboard.serve(dir, new DashboardOptions(DashboardOptions.LOOPBACK, 0, clock));
        open.add(d);
        Http http = new Http(d.port());
        assertThat(http.get("/api/overview").json().get("trialCount").asInt()).isEqualTo(12);
        long before = http.get("/api/cursor").json().get("cursor").asLong();

        // Nobody held the experiment when the dashboard opened it; now a resume takes it over and adds four trials.
        try (Experiment resumed = Experiment.resume(dir).maxTrialNumber(16).trialFunction((p, r) -> r.reportFinal(
                10 + p.getDouble("x"))).build()) {
            ExperimentHandle h = resumed.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(60))).isTrue();
        }
        clock.advance(Duration.ofSeconds(10));

        JsonNode o = http.get("/api/overview").json();
        assertThat(o.get("trialCount").asInt()).isEqualTo(16);
        assertThat(o.get("status").asText()).isEqualTo("DONE");
        assertThat(http.get("/api/cursor").json().get("cursor").asLong()).isNotEqualTo(before);
        // The documents are built from the latest state: the cursor they were built from is the overview's.
        JsonNode caughtUp = http.get("/api/cursor").json();
        assertThat(caughtUp.get("built").asLong()).isEqualTo(caughtUp.get("cursor").asLong());
        assertThat(http.get("/api/overview").json().get("cursor").asLong()).isEqualTo(caughtUp.get("built").asLong());
        assertThat(o.get("counts").get("SUCCEEDED").asInt()).isEqualTo(16);
        assertThat(o.get("maxTrialNumber").asInt()).isEqualTo(16);
        // The resumed trials' values are above 10, every earlier one below 2: the best is one of the new trials.
        assertThat(o.get("best").get("value").asDouble()).isGreaterThan(10);
        assertThat(http.get("/api/charts/best").json().get("byTrial")).hasSize(16);
        assertThat(http.get("/api/trials?sort=value&order=desc&limit=4").json().get("rows"))
                .allSatisfy(row -> assertThat(row.get("value").asDouble()).isGreaterThan(10));
    }
}
