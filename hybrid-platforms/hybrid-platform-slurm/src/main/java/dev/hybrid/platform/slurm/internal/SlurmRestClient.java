package dev.hybrid.platform.slurm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hybrid.platform.slurm.SlurmRestApi;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hc.client5.http.classic.methods.HttpDelete;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The calls of slurmrestd's API that the Slurm platform makes ({@code jobs}, {@code job/submit}, {@code job/{id}}
 * and, where slurmdbd is behind it, {@code slurmdb/.../job/{id}}), on one pooled HttpClient with bounded timeouts.
 * The first call reads which OpenAPI versions the server offers ({@code /openapi/v3}) and checks the token with
 * {@code ping}; until that succeeds every call repeats it. Transport failures throw {@link IOException}; answers
 * that are errors throw {@link Refused} with slurmrestd's own error text. The token goes only into the
 * {@code X-SLURM-USER-TOKEN} header, never into a message. Thread-safe.
 */
public final class SlurmRestClient implements AutoCloseable {
    private static final Pattern SLURM_PATH = Pattern.compile("/slurm/(v[0-9.]+)/jobs");
    private static final Pattern DB_PATH = Pattern.compile("/slurmdb/(v[0-9.]+)/job/\\{job_id}");

    private final SlurmRestApi api;
    private final String base;
    private final ObjectMapper json = new ObjectMapper();
    private final CloseableHttpClient http;
    private volatile Checked checked;

    /** An answer of slurmrestd that says the call failed; its message is slurmrestd's, with the status. */
    public static final class Refused extends IOException {
        private final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status. */
        public int status() {
            return status;
        }
    }

    /** One job as {@code GET jobs} lists it; an empty comment when it has none. */
    public record Job(String id, String name, String state, String reason, String comment) {
    }

    /** What the first successful call found out: the version spoken, and whether accounting is reachable. */
    private record Checked(String version, Optional<String> dbVersion) {
    }

    public SlurmRestClient(SlurmRestApi api, Duration timeout) {
        this.api = Objects.requireNonNull(api, "api");
        this.base = api.url().toString().replaceAll("/+$", "");
        Timeout t = Timeout.of(timeout);
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t)
                                .build())
                        .setMaxConnTotal(4).setMaxConnPerRoute(4).build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(t).setResponseTimeout(t)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    /** slurmrestd's base URL, for messages. */
    public String describe() {
        return "slurmrestd at " + base;
    }

    /** The OpenAPI version spoken (checking the server first if no call has yet). */
    public String version() throws IOException {
        return check().version();
    }

    /** Submits {@code script} with the job properties {@code job}; returns the new job's id. */
    public String submit(Map<String, Object> job, String script) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("script", script);
        body.set("job", json.valueToTree(job));
        JsonNode answer = call(new HttpPost(URI.create(slurm("job/submit"))), Optional.of(body));
        JsonNode id = answer.path("job_id");
        if (!id.canConvertToLong()) {
            throw new Refused(200, describe() + " accepted the job but gave no job id");
        }
        return Long.toString(id.asLong());
    }

    /** Every job slurmctld still holds (finished ones until {@code MinJobAge}), in one call. */
    public List<Job> jobs() throws IOException {
        JsonNode answer = call(new HttpGet(URI.create(slurm("jobs"))), Optional.empty());
        List<Job> jobs = new ArrayList<>();
        for (JsonNode j : answer.path("jobs")) {
            jobs.add(new Job(j.path("job_id").asText(), j.path("name").asText(), text(j.path("job_state")),
                    j.path("state_reason").asText(""), j.path("comment").asText("")));
        }
        return jobs;
    }

    /** Cancels the job ({@code DELETE job/{id}}, SIGKILL after Slurm's own grace). */
    public void cancel(String jobId) throws IOException {
        call(new HttpDelete(URI.create(slurm("job/" + number(jobId)))), Optional.empty());
    }

    /**
     * The job's state as slurmdbd's accounting recorded it; empty when slurmrestd offers no accounting (no slurmdbd
     * behind it) or has no record of the job.
     */
    public Optional<String> accountedState(String jobId) throws IOException {
        Optional<String> db = check().dbVersion();
        if (db.isEmpty()) {
            return Optional.empty();
        }
        JsonNode answer;
        try {
            answer = call(new HttpGet(URI.create(base + "/slurmdb/" + db.get() + "/job/" + number(jobId))),
                    Optional.empty());
        } catch (Refused e) {
            return Optional.empty();
        }
        for (JsonNode j : answer.path("jobs")) {
            if (j.path("job_id").asText().equals(jobId)) {
                JsonNode state = j.path("state");
                String current = state.isObject() ? text(state.path("current")) : text(state);
                return current.isBlank() ? Optional.empty() : Optional.of(current);
            }
        }
        return Optional.empty();
    }

    /** The server's versions and the token, checked once (again after a failure). */
    private Checked check() throws IOException {
        Checked c = checked;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (checked != null) {
                return checked;
            }
            JsonNode spec = send(new HttpGet(URI.create(base + "/openapi/v3")), Optional.empty());
            TreeSet<String> offered = new TreeSet<>();
            TreeSet<String> db = new TreeSet<>();
            spec.path("paths").fieldNames().forEachRemaining(p -> {
                Matcher m = SLURM_PATH.matcher(p);
                if (m.matches()) {
                    offered.add(m.group(1));
                }
                Matcher d = DB_PATH.matcher(p);
                if (d.matches()) {
                    db.add(d.group(1));
                }
            });
            String version;
            if (api.apiVersion().isPresent()) {
                version = api.apiVersion().get();
                if (!offered.contains(version)) {
                    throw new Refused(200, describe() + " offers OpenAPI versions " + offered + ", not " + version
                            + " (restApiVersion); Hybrid speaks " + SlurmRestApi.VERSIONS);
                }
            } else {
                version = SlurmRestApi.VERSIONS.stream().filter(offered::contains).reduce((a, b) -> b)
                        .orElseThrow(() -> new Refused(200, describe() + " offers OpenAPI versions " + offered
                                + "; Hybrid speaks " + SlurmRestApi.VERSIONS + " (restApiVersion)"));
            }
            Checked found = new Checked(version, db.isEmpty() ? Optional.empty() : Optional.of(db.last()));
            // slurmrestd passes the token through: only slurmctld judges it, and answers a bad one with an
            // "Unspecified error" (HTTP 500) on any call. A ping that fails so is a refused token.
            try {
                send(new HttpGet(URI.create(base + "/slurm/" + version + "/ping")), Optional.empty());
            } catch (Refused e) {
                throw new Refused(e.status(), describe() + " did not accept the token for user " + api.user()
                        + " (restToken or restTokenFile: a JWT from 'scontrol token' for that user, not expired,"
                        + " and slurm.conf with AuthAltTypes=auth/jwt): " + e.getMessage());
            }
            checked = found;
            return found;
        }
    }

    private JsonNode call(HttpUriRequestBase request, Optional<JsonNode> body) throws IOException {
        check();
        return send(request, body);
    }

    private JsonNode send(HttpUriRequestBase request, Optional<JsonNode> body) throws IOException {
        request.setHeader("X-SLURM-USER-NAME", api.user());
        request.setHeader("X-SLURM-USER-TOKEN", token());
        request.setHeader("Accept", "application/json");
        if (body.isPresent()) {
            // slurmrestd 22.05 answers "Unable to parse query" to a Content-Type with a charset parameter.
            request.setEntity(new StringEntity(json.writeValueAsString(body.get()),
                    ContentType.create("application/json", (java.nio.charset.Charset) null)));
        }
        String what = request.getMethod() + " " + request.getRequestUri();
        record Answer(int status, String body) {
        }
        Answer answer;
        try {
            answer = http.execute(request, r -> new Answer(r.getCode(), r.getEntity() == null ? ""
                    : EntityUtils.toString(r.getEntity(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IOException(describe() + ": " + what + " failed: " + e.getMessage(), e);
        }
        JsonNode tree;
        try {
            tree = answer.body().isBlank() ? json.createObjectNode() : json.readTree(answer.body());
        } catch (IOException e) {
            tree = null;
        }
        if (answer.status() == 401) {
            throw new Refused(401, describe() + " answered " + what + " with 401 Authentication failure (no token,"
                    + " or slurmrestd not started with rest_auth/jwt)");
        }
        String errors = tree == null ? "" : errors(tree);
        if (answer.status() >= 300 || tree == null || !errors.isEmpty()) {
            String said = !errors.isEmpty() ? errors : answer.body().strip().replaceAll("\\s+", " ");
            if (said.length() > 300) {
                said = said.substring(0, 300) + "...";
            }
            throw new Refused(answer.status(), describe() + ": " + what + " gave HTTP " + answer.status()
                    + (said.isEmpty() ? "" : ": " + said));
        }
        return tree;
    }

    /** slurmrestd's {@code errors} list (or a lone {@code error}) as one line. */
    private static String errors(JsonNode tree) {
        List<String> out = new ArrayList<>();
        JsonNode list = tree.path("errors");
        if (list.isArray()) {
            list.forEach(e -> out.add(errorText(e)));
        }
        if (out.isEmpty() && tree.has("error")) {
            out.add(errorText(tree));
        }
        return String.join("; ", out);
    }

    private static String errorText(JsonNode e) {
        String error = e.path("error").asText("");
        String description = e.path("description").asText("");
        String code = e.has("error_number") ? " (" + e.path("error_number").asText() + ")"
                : e.has("error_code") ? " (" + e.path("error_code").asText() + ")" : "";
        return (description.isEmpty() || description.equals(error) ? error : error + ": " + description) + code;
    }

    /** A string field, or the first of a list (newer versions give states as lists). */
    private static String text(JsonNode n) {
        return n.isArray() ? (n.isEmpty() ? "" : n.get(0).asText()) : n.asText("");
    }

    private String slurm(String path) throws IOException {
        return base + "/slurm/" + check().version() + "/" + path;
    }

    private static String number(String jobId) throws IOException {
        if (!jobId.matches("\\d+")) {
            throw new IOException("not a Slurm job id: '" + jobId + "'");
        }
        return jobId;
    }

    /** The token, read from its file on every call so that a renewed token is used at once. */
    private String token() throws IOException {
        if (api.token().isPresent()) {
            return api.token().get().reveal();
        }
        String text;
        try {
            text = Files.readString(api.tokenFile().orElseThrow()).strip();
        } catch (IOException e) {
            throw new IOException("cannot read the slurmrestd token file " + api.tokenFile().get()
                    + " (restTokenFile): " + e.getClass().getSimpleName());
        }
        return text.startsWith("SLURM_JWT=") ? text.substring("SLURM_JWT=".length()) : text;
    }

    @Override
    public void close() {
        http.close(CloseMode.GRACEFUL);
    }
}
