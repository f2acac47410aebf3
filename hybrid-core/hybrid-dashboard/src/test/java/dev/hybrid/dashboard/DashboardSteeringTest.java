package dev.hybrid.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page's steering requests reach a running experiment; secrets of a stored config never reach the page. */
class DashboardSteeringTest {

    @Test
    void limitsCancelAndStopReachTheRunningExperimentAndBadValuesNameTheirField(@TempDir Path work)
            throws Exception {
        try (Experiment experiment = Experiment.builder().experimentId("steer1").workingDirectory(work)
                .searchSpace(DashboardApiTest.SPACE).tuner("Random", Map.of()).maxTrialNumber(4).trialConcurrency(2)
                .trialFunction((p, r) -> {
                    while (!r.isCancelled()) {
                        TimeUnit.MILLISECONDS.sleep(20);
                    }
                }).build()) {
            ExperimentHandle handle = experiment.start();
            try (Dashboard dashboard = Dashboard.serve(experiment, DashboardOptions.defaults())) {
                Http http = new Http(dashboard.port());
                Map<String, String> page = pageHeaders(http);
                await(http, "api/overview", o -> o.path("counts").path("RUNNING").asInt() == 2);

                Http.Response raised = http.post("/api/limits", page,
                        "{\"maxTrialNumber\": 9, \"trialConcurrency\": 3, \"maxExecDuration\": \"2h\"}");
                Http.Response zero = http.post("/api/limits", page, "{\"trialConcurrency\": 0}");
                Http.Response words = http.post("/api/limits", page, "{\"maxExecDuration\": \"soon\"}");
                Http.Response unknown = http.post("/api/limits", page, "{\"maxTrials\": 5}");

                assertThat(raised.status()).as(raised.body()).isEqualTo(200);
                assertThat(zero.status()).isEqualTo(400);
                assertThat(zero.json().get("error").asText()).startsWith("trialConcurrency: ");
                assertThat(words.json().get("error").asText()).startsWith("maxExecDuration: ");
                assertThat(unknown.json().get("error").asText()).startsWith("maxTrials: unknown setting");
                JsonNode o = await(http, "api/overview", x -> x.path("counts").path("RUNNING").asInt() == 3);
                assertThat(handle.summary().maxTrialNumber()).contains(9);
                assertThat(handle.summary().maxExecDuration()).contains(Duration.ofHours(2));
                assertThat(o.get("steerable").asBoolean()).isTrue();

                String running = http.get("/api/trials?status=RUNNING").json().get("rows").get(0).get("id").asText();
                Http.Response cancel = http.post("/api/trials/" + running + "/cancel", page, "");
                assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
                await(http, "api/trials/" + running, t -> t.path("status").asText().equals("USER_CANCELED"));

                assertThat(http.post("/api/stop", page, "").status()).isEqualTo(200);
                assertThat(handle.awaitCompletion(Duration.ofSeconds(60))).isTrue();
                assertThat(handle.status()).isEqualTo(ExperimentStatus.STOPPED);
                JsonNode stopped = await(http, "api/overview", x -> x.path("status").asText().equals("STOPPED"));
                assertThat(stopped.get("steerable").asBoolean()).isFalse();
            }
        }
    }

    @Test
    void noPartOfTheStoredSettingsReachesThePage(@TempDir Path work) throws Exception {
        Path dir = work.resolve("sec1");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String secret = "s3cr3t-passw0rd-value";
        try (SqliteExperimentStore store = SqliteExperimentStore.forWriting(dir)) {
            store.open();
            // A config as an older or foreign writer might have kept it, secrets and all.
            store.saveExperiment(new StoredExperiment("sec1", Optional.of("secrets"), "{\"maxTrialNumber\": 5,"
                    + " \"nniConfig\": {\"trainingService\": {\"platform\": \"remote\", \"machineList\": [{\"host\":"
                    + " \"10.0.0.1\", \"password\": \"" + secret + "\"}]}, \"token\": \"" + secret + "\"}}",
                    OptimizeMode.MAXIMIZE, ExperimentStatus.DONE, Optional.of(t0), Optional.of(t0), Duration.ZERO, 0));
            TrialId id = new TrialId("tr1");
            store.trialSubmitted(new TrialSpec(id, 0, 0, new dev.hybrid.space.Parameters(Map.of("x", 0.5))),
                    "remote", 1, t0);
            store.trialEnded(id, TrialStatus.SUCCEEDED, Optional.of(0), "", t0);
        }
        try (Dashboard dashboard = Dashboard.serve(dir, DashboardOptions.defaults())) {
            Http http = new Http(dashboard.port());
            StringBuilder everything = new StringBuilder();
            for (String path : new String[] {"/", "/api/overview", "/api/trials", "/api/trials/tr1",
                    "/api/charts/best", "/api/charts/curves", "/api/charts/parallel", "/api/charts/timeline",
                    "/api/charts/importance"}) {
                Http.Response r = http.get(path);
                assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(200);
                everything.append(r.body());
            }
            assertThat(everything.toString()).doesNotContain(secret).doesNotContain("10.0.0.1")
                    .contains("\"maxTrialNumber\":5");
        }
    }

    private static Map<String, String> pageHeaders(Http http) throws Exception {
        String page = http.get("/").body();
        String token = page.replaceAll("(?s).*name=\"hybrid-token\" content=\"([^\"]+)\".*", "$1");
        return Map.of("X-Hybrid-Token", token, "Origin", "http://127.0.0.1:" + http.port(),
                "Content-Type", "application/json");
    }

    static JsonNode await(Http http, String path, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = http.get("/" + path).json();
            if (condition.test(last)) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("timed out waiting on " + path + "; last " + last);
    }
}
