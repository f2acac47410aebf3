package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hybrid run --web}, {@code hybrid view} and {@code hybrid report}, each as the user runs them. */
class DashboardCommandsTest {
    private static final Pattern URL = Pattern.compile("Dashboard: (http://127\\.0\\.0\\.1:\\d+/)");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prints a line, waits until the test creates the file {@code release}, then reports x as the final result. */
    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "echo \"training with x=$x\"",
            "while [ ! -f release ]; do sleep 0.05; done",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "");

    @TempDir
    Path dir;
    private final List<Process> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void end() {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void runWebAndViewServeTheRunningExperimentViewSteersItFromAnotherProcessAndReportWritesOneFile()
            throws Exception {
        writeExperiment();
        Path work = dir.resolve("work");

        StringBuilder runOutput = new StringBuilder();
        Process run = start(runOutput, "run", dir.resolve("config.yml").toString(), "--id", "web1", "--work-dir",
                work.toString(), "--web", "--port", "0", "--progress-interval", "0.2");
        String runUrl = url(runOutput, run);
        await(runUrl, "api/overview", o -> o.path("counts").path("RUNNING").asInt() == 2);
        JsonNode running = get(runUrl, "api/overview");
        assertThat(running.get("id").asText()).isEqualTo("web1");
        assertThat(running.get("live").asBoolean()).isTrue();
        assertThat(running.get("steerable").asBoolean()).isTrue();
        String trialId = get(runUrl, "api/trials").get("rows").get(0).get("id").asText();
        await(runUrl, "api/trials/" + trialId, t -> t.path("logs").path("stdout").asText().startsWith("training"));

        // hybrid view of the experiment that the other process runs: it follows it and steers it through the store.
        StringBuilder viewOutput = new StringBuilder();
        Process view = start(viewOutput, "view", "web1", "--work-dir", work.toString(), "--port", "0");
        String viewUrl = url(viewOutput, view);
        JsonNode viewed = get(viewUrl, "api/overview");
        assertThat(viewed.get("live").asBoolean()).isTrue();
        assertThat(viewed.get("steerable").asBoolean()).isTrue();
        HttpResponse<String> raised = post(viewUrl, "api/limits", "{\"maxTrialNumber\": 3}");
        assertThat(raised.statusCode()).as(raised.body()).isEqualTo(200);
        HttpResponse<String> refused = post(viewUrl, "api/limits", "{\"trialConcurrency\": 0}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(refused.body()).get("error").asText()).startsWith("trialConcurrency: ");
        // Both slots are taken: the third trial starts when one of them ends.
        await(runUrl, "api/overview", o -> o.path("maxTrialNumber").asInt() == 3);

        Files.writeString(dir.resolve("release"), "");
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as("%s", runOutput).isZero();
        JsonNode done = await(viewUrl, "api/overview", o -> o.path("status").asText().equals("DONE"));
        assertThat(done.get("live").asBoolean()).isFalse();
        assertThat(done.get("steerable").asBoolean()).isFalse();
        assertThat(done.get("trialCount").asInt()).isEqualTo(3);
        assertThat(done.get("counts").get("SUCCEEDED").asInt()).isEqualTo(3);
        assertThat(get(viewUrl, "api/charts/best").get("byTrial")).hasSize(3);
        view.destroy();
        assertThat(view.waitFor(60, TimeUnit.SECONDS)).isTrue();

        int code = HybridCommand.commandLine().execute("report", "web1", "--work-dir", work.toString(), "-o",
                dir.resolve("r.html").toString());
        assertThat(code).isZero();
        String html = Files.readString(dir.resolve("r.html"));
        assertThat(html).contains("window.HYBRID_REPORT = ").contains("echarts").doesNotContain("<script src=")
                .doesNotContain("<link rel=\"stylesheet\" href=");
    }

    @Test
    void resumeWebServesTheResumedExperimentAndAViewOpenedBeforeTheResumeFollowsIt() throws Exception {
        writeExperiment();
        Path work = dir.resolve("work");
        // The first run's trials end at once; the resumed run's wait until the test releases them.
        Files.writeString(dir.resolve("release"), "");
        StringBuilder runOutput = new StringBuilder();
        Process run = start(runOutput, "run", dir.resolve("config.yml").toString(), "--id", "res1", "--work-dir",
                work.toString());
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as("%s", runOutput).isZero();
        Files.delete(dir.resolve("release"));

        // A view of the finished experiment, opened while nobody holds it.
        StringBuilder viewOutput = new StringBuilder();
        Process view = start(viewOutput, "view", "res1", "--work-dir", work.toString(), "--port", "0");
        String viewUrl = url(viewOutput, view);
        assertThat(get(viewUrl, "api/overview").get("trialCount").asInt()).isEqualTo(2);

        StringBuilder resumeOutput = new StringBuilder();
        Process resume = start(resumeOutput, "resume", "res1", "--work-dir", work.toString(), "--max-trial-number",
                "4", "--web", "--port", "0", "--progress-interval", "0.2");
        String resumeUrl = url(resumeOutput, resume);
        JsonNode running = await(resumeUrl, "api/overview", o -> o.path("counts").path("RUNNING").asInt() == 2);
        assertThat(running.get("id").asText()).isEqualTo("res1");
        assertThat(running.get("live").asBoolean()).isTrue();
        assertThat(running.get("steerable").asBoolean()).isTrue();
        assertThat(running.get("maxTrialNumber").asInt()).isEqualTo(4);
        assertThat(running.get("trialCount").asInt()).isEqualTo(4);
        assertThat(running.get("counts").get("SUCCEEDED").asInt()).isEqualTo(2);
        JsonNode trials = get(resumeUrl, "api/trials?sort=sequence&order=asc");
        assertThat(trials.get("total").asInt()).isEqualTo(4);
        List<String> statuses = new ArrayList<>();
        trials.get("rows").forEach(r -> statuses.add(r.get("status").asText()));
        assertThat(statuses).containsExactly("SUCCEEDED", "SUCCEEDED", "RUNNING", "RUNNING");
        String runningId = trials.get("rows").get(2).get("id").asText();
        await(resumeUrl, "api/trials/" + runningId, t -> t.path("logs").path("stdout").asText()
                .startsWith("training"));
        // The view opened before the resume follows it too.
        await(viewUrl, "api/overview", o -> o.path("trialCount").asInt() == 4
                && o.path("counts").path("RUNNING").asInt() == 2 && o.path("live").asBoolean());

        Files.writeString(dir.resolve("release"), "");
        assertThat(resume.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(resume.exitValue()).as("%s", resumeOutput).isZero();
        JsonNode done = await(viewUrl, "api/overview", o -> o.path("status").asText().equals("DONE")
                && o.path("counts").path("SUCCEEDED").asInt() == 4);
        assertThat(done.get("live").asBoolean()).isFalse();
        assertThat(get(viewUrl, "api/charts/best").get("byTrial")).hasSize(4);
        view.destroy();
        assertThat(view.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    /** Starts the command line in a JVM of its own, its output collected into {@code seen}. */
    private Process start(StringBuilder seen, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"),
                "dev.hybrid.cli.HybridCommand"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        children.add(p);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                        seen.notifyAll();
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        }, "dashboard-test-reader");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    /** The dashboard URL the process prints, once it has printed it (two minutes at most). */
    private static String url(StringBuilder seen, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        synchronized (seen) {
            while (System.nanoTime() < deadline) {
                Matcher m = URL.matcher(seen);
                if (m.find()) {
                    return m.group(1);
                }
                if (!p.isAlive()) {
                    break;
                }
                seen.wait(200);
            }
            throw new AssertionError("no dashboard URL in the output: " + seen);
        }
    }

    private JsonNode get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String base, String path, String body) throws Exception {
        String page = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("name=\"hybrid-token\" content=\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).isTrue();
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("X-Hybrid-Token", m.group(1)).header("Origin", base.substring(0, base.length() - 1))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls an endpoint until its document satisfies the condition (60 s at most). */
    private JsonNode await(String base, String path, Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = get(base, path);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting on " + path + "; last " + last);
    }

    /** The trial script, its search space and a v2 config of two trials, two at a time, on the local platform. */
    private void writeExperiment() throws IOException {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Files.writeString(dir.resolve("config.yml"), String.join("\n", "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh", "trialCodeDirectory: .", "trialConcurrency: 2", "maxTrialNumber: 2",
                "tuner:", "  name: Random", "trainingService:", "  platform: local", ""));
    }
}
