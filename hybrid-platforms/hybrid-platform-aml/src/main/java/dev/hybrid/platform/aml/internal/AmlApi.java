package dev.hybrid.platform.aml.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hybrid.platform.aml.AmlWorkspace;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpPut;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.FileEntity;

/**
 * The ARM (api-version 2024-04-01) and MLflow calls the platform makes, with a Bearer token on each; a 401
 * {@code ExpiredAuthenticationToken} fetches a new token and tries once more.
 */
public final class AmlApi {
    public static final String API_VERSION = "2024-04-01";

    private final Http http;
    private final Tokens tokens;
    private final String base;
    private final AmlWorkspace workspace;
    private volatile String mlflow = "";

    public AmlApi(Http http, Tokens tokens, URI resourceManager, AmlWorkspace workspace) {
        this.http = http;
        this.tokens = tokens;
        this.workspace = workspace;
        this.base = resourceManager.toString().replaceAll("/+$", "") + workspace.armPath();
    }

    /** The workspace's ARM id. */
    public String workspaceId() {
        return workspace.armPath();
    }

    /** Reads the workspace and keeps its MLflow tracking URI (in its {@code https://} form); fails when absent. */
    public void loadWorkspace() {
        JsonNode ws = ok(authed(() -> new HttpGet(arm(""))), "reading workspace " + workspace.workspaceName());
        String uri = ws.path("properties").path("mlFlowTrackingUri").asText("");
        if (uri.isEmpty()) {
            throw new AzureException(200, "", "workspace " + workspace.workspaceName() + " has no mlFlowTrackingUri",
                    null);
        }
        mlflow = (uri.startsWith("azureml://") ? "https://" + uri.substring("azureml://".length()) : uri)
                .replaceAll("/+$", "");
    }

    /** A code version's {@code codeUri}, when that version exists. */
    public Optional<String> codeVersion(String name, String version) {
        Http.Response r = authed(() -> new HttpGet(arm("/codes/" + name + "/versions/" + version)));
        if (r.status() == 404) {
            return Optional.empty();
        }
        JsonNode n = ok(r, "reading code " + name + " version " + version);
        return Optional.of(n.path("properties").path("codeUri").asText());
    }

    /** Uploads the files (relative name → file) as a new code version and returns its ARM id. */
    public String uploadCode(String name, String version, Map<String, Path> files, String hash) {
        String path = "/codes/" + name + "/versions/" + version;
        Map<String, Object> start = Map.of("pendingUploadId", java.util.UUID.randomUUID().toString(),
                "pendingUploadType", "TemporaryBlobReference");
        JsonNode pending = ok(authed(() -> Http.json("POST", arm(path + "/startPendingUpload"), start)),
                "starting the code upload");
        JsonNode blob = pending.path("blobReferenceForConsumption");
        String blobUri = blob.path("blobUri").asText();
        String sas = blob.path("credential").path("sasUri").asText();
        URI sasUri = URI.create(sas);
        for (Map.Entry<String, Path> f : files.entrySet()) {
            String encoded = encodePath(f.getKey());
            URI target = URI.create(sasUri.getScheme() + "://" + sasUri.getRawAuthority()
                    + sasUri.getRawPath().replaceAll("/+$", "") + "/" + encoded
                    + (sasUri.getRawQuery() == null ? "" : "?" + sasUri.getRawQuery()));
            Http.Response r = http.send(() -> {
                HttpPut put = new HttpPut(target);
                put.setHeader("x-ms-blob-type", "BlockBlob");
                put.setHeader("x-ms-version", "2023-11-03");
                put.setEntity(new FileEntity(f.getValue().toFile(), ContentType.APPLICATION_OCTET_STREAM));
                return put;
            });
            if (!r.isSuccess()) {
                // The SAS signature is in the query: the message names the file, never the URI.
                throw Http.error(r, "uploading " + f.getKey());
            }
        }
        ObjectNode body = Http.JSON.createObjectNode();
        ObjectNode props = body.putObject("properties");
        props.put("codeUri", blobUri);
        props.put("isAnonymous", false);
        props.putObject("properties").put("hybrid.contentHash", hash);
        ok(authed(() -> Http.json("PUT", arm(path), body)), "creating code " + name + " version " + version);
        return workspaceId() + path;
    }

    /** Creates (or finds unchanged) an environment version for a Docker image and returns its ARM id. */
    public String environment(String name, String version, String image) {
        String path = "/environments/" + name + "/versions/" + version;
        Map<String, Object> body = Map.of("properties", Map.of("image", image, "osType", "Linux"));
        ok(authed(() -> Http.json("PUT", arm(path), body)), "creating environment " + name + " for image " + image);
        return workspaceId() + path;
    }

    /** Creates a command job. */
    public void createJob(String name, Map<String, Object> properties) {
        Map<String, Object> body = Map.of("properties", properties);
        ok(authed(() -> Http.json("PUT", arm("/jobs/" + name), body)), "creating job " + name);
    }

    /** The status of every job that has the tag {@code tagKey}, by job name, following {@code nextLink}. */
    public Map<String, String> jobStatuses(String tagKey) {
        Map<String, String> out = new LinkedHashMap<>();
        URI next = URI.create(arm("/jobs").toString() + "&jobType=Command&listViewType=All&tag="
                + URLEncoder.encode(tagKey, StandardCharsets.UTF_8));
        int pages = 0;
        while (next != null && pages++ < 10_000) {
            URI page = next;
            JsonNode n = ok(authed(() -> new HttpGet(page)), "listing jobs");
            for (JsonNode job : n.path("value")) {
                out.put(job.path("name").asText(), job.path("properties").path("status").asText("Unknown"));
            }
            String link = n.path("nextLink").asText("");
            next = link.isEmpty() ? null : URI.create(link);
        }
        return out;
    }

    /** One job's status, or empty when the service does not know it (404). */
    public Optional<String> jobStatus(String name) {
        Http.Response r = authed(() -> new HttpGet(arm("/jobs/" + name)));
        if (r.status() == 404) {
            return Optional.empty();
        }
        return Optional.of(ok(r, "reading job " + name).path("properties").path("status").asText("Unknown"));
    }

    /** Asks for a job's cancellation: the operation's {@code Location} to follow, if the answer was a 202. */
    public Optional<URI> cancel(String name) {
        Http.Response r = authed(() -> new HttpPost(arm("/jobs/" + name + "/cancel")));
        ok(r, "cancelling job " + name);
        if (r.status() == 202) {
            return r.header("Location").map(URI::create);
        }
        return Optional.empty();
    }

    /**
     * One poll of a long-running operation's {@code Location}: empty when it is over, else how long to wait before
     * the next poll ({@code Retry-After}, in seconds; 404 counts as "not yet", the ARM eventual-consistency case).
     */
    public Optional<java.time.Duration> pollOperation(URI location) {
        Http.Response r = authed(() -> new HttpGet(location));
        if (r.status() == 202 || r.status() == 404) {
            return Optional.of(r.header("Retry-After").flatMap(Http::seconds).orElse(java.time.Duration.ofSeconds(5)));
        }
        ok(r, "following a job operation");
        return Optional.empty();
    }

    /** An MLflow run's latest metrics (key → {@code [value, step]}) and tags. */
    public MlflowRun run(String runId) {
        Http.Response r = authed(() -> new HttpGet(mlflow("runs/get?run_id=" + enc(runId))));
        if (r.status() == 404) {
            return new MlflowRun(Map.of(), Map.of());
        }
        JsonNode data = ok(r, "reading MLflow run " + runId).path("run").path("data");
        Map<String, Long> latest = new LinkedHashMap<>();
        for (JsonNode m : data.path("metrics")) {
            latest.put(m.path("key").asText(), m.path("step").asLong(0));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode t : data.path("tags")) {
            tags.put(t.path("key").asText(), t.path("value").asText());
        }
        return new MlflowRun(latest, tags);
    }

    /** An MLflow run's latest step of each metric, and its tags. */
    public record MlflowRun(Map<String, Long> latestSteps, Map<String, String> tags) {
    }

    /** A logged value: its step and value. */
    public record Point(long step, double value) {
    }

    /** Every value logged under {@code key}, following {@code next_page_token}. */
    public List<Point> history(String runId, String key) {
        List<Point> out = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            String q = "metrics/get-history?run_id=" + enc(runId) + "&metric_key=" + enc(key)
                    + (token.isEmpty() ? "" : "&page_token=" + enc(token));
            JsonNode n = ok(authed(() -> new HttpGet(mlflow(q))), "reading MLflow metric " + key);
            for (JsonNode m : n.path("metrics")) {
                out.add(new Point(m.path("step").asLong(0), m.path("value").asDouble()));
            }
            token = n.path("next_page_token").asText("");
        } while (!token.isEmpty() && pages++ < 100_000);
        return out;
    }

    private Http.Response authed(Supplier<HttpUriRequestBase> request) {
        String token = tokens.token();
        Http.Response r = http.send(() -> withToken(request.get(), token));
        if (r.status() == 401 && r.text().contains("ExpiredAuthenticationToken")) {
            tokens.invalidate(token);
            String fresh = tokens.token();
            r = http.send(() -> withToken(request.get(), fresh));
        }
        return r;
    }

    private static HttpUriRequestBase withToken(HttpUriRequestBase r, String token) {
        r.setHeader("Authorization", "Bearer " + token);
        return r;
    }

    private static JsonNode ok(Http.Response r, String what) {
        if (!r.isSuccess()) {
            throw Http.error(r, what);
        }
        return r.json();
    }

    private URI arm(String path) {
        return URI.create(base + path + "?api-version=" + API_VERSION);
    }

    private URI mlflow(String pathAndQuery) {
        return URI.create(mlflow + "/api/2.0/mlflow/" + pathAndQuery);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String encodePath(String relative) {
        StringBuilder b = new StringBuilder();
        for (String part : relative.split("/")) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return b.toString();
    }
}
