package dev.hybrid.platform.aml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A fake of the Azure services the {@code aml} platform talks to, written from the ARM 2024-04-01 and MLflow specs:
 * an Entra ID token endpoint with expiring tokens, the workspace's ARM endpoints (code with a pending upload,
 * environments, command jobs with a cancel operation, paged lists), blob upload through a SAS URI, and MLflow's
 * log and read calls. Each job's command runs as a local process in a folder holding the uploaded code, with
 * {@code MLFLOW_TRACKING_URI} (in {@code azureml://} form), {@code MLFLOW_RUN_ID} and {@code MLFLOW_TRACKING_TOKEN}
 * set as the service sets them. Served on 127.0.0.1, over HTTP or HTTPS.
 */
public final class FakeAzure implements AutoCloseable {
    public static final String TENANT = "tenant-1";
    public static final String CLIENT = "client-1";
    public static final String SECRET = "s3cret-value";
    public static final String SUBSCRIPTION = "sub-1";
    public static final String GROUP = "rg-1";
    public static final String WORKSPACE = "ws-1";
    public static final String COMPUTE = "cpu-cluster";
    public static final String WS_PATH = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
            + "/providers/Microsoft.MachineLearningServices/workspaces/" + WORKSPACE;
    /** The CommandJob, JobBase and ResourceBase properties of {@code mfe.json} (2024-04-01). */
    private static final Set<String> JOB_KEYS = Set.of("codeId", "command", "distribution", "environmentId",
            "environmentVariables", "inputs", "limits", "outputs", "queueSettings", "resources", "componentId",
            "computeId", "displayName", "experimentName", "identity", "isArchived", "jobType", "notificationSetting",
            "services", "description", "properties", "tags");
    private static final Set<String> READ_ONLY = Set.of("status", "parameters");
    private static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Canceled");
    private static final int PAGE = 2;
    private static final int HISTORY_PAGE = 3;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final boolean tls;
    private final Path root;
    private final Optional<Path> caFile;
    private final ExecutorService runner = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-azure-job");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> runTokens = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> codes = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> environments = new ConcurrentHashMap<>();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, Integer> operations = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger blobPuts = new AtomicInteger();
    final AtomicInteger throttleNext = new AtomicInteger();
    final AtomicInteger failNext = new AtomicInteger();
    final AtomicInteger expiredRejections = new AtomicInteger();
    final AtomicInteger tokensIssued = new AtomicInteger();
    volatile long tokenLifetimeSeconds = 3599;
    volatile int cancelOperationPolls = 2;
    volatile boolean holdQueued;
    /** How many jobs the compute runs at once; the others stay {@code Queued} (no node free). */
    volatile int nodes = Integer.MAX_VALUE;

    /** One command job: its stored body, status, process and MLflow run. */
    public final class Job {
        final String name;
        final JsonNode properties;
        volatile String status = "NotStarted";
        volatile Process process;
        volatile boolean cancelRequested;
        final Map<String, List<double[]>> metrics = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();

        Job(String name, JsonNode properties) {
            this.name = name;
            this.properties = properties;
        }

        public String status() {
            return status;
        }
    }

    private FakeAzure(HttpServer server, boolean tls, Path root, Optional<Path> caFile) {
        this.server = server;
        this.tls = tls;
        this.root = root;
        this.caFile = caFile;
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "fake-azure-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** A fake over plain HTTP, keeping uploads and job folders under {@code root}. */
    public static FakeAzure http(Path root) throws IOException {
        return new FakeAzure(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), false, root,
                Optional.empty());
    }

    /** A fake over HTTPS with {@code ssl}'s certificate; jobs trust {@code caPem} (SSL_CERT_FILE). */
    static FakeAzure https(Path root, SSLContext ssl, Path caPem) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new FakeAzure(s, true, root, Optional.of(caPem));
    }

    public URI endpoint() {
        return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * The workspace's MLflow URI as the service gives it, in {@code azureml://} form (which means HTTPS); over plain
     * HTTP, a test-only {@code http://} URI instead.
     */
    String trackingUri() {
        return (tls ? "azureml" : "http") + "://127.0.0.1:" + server.getAddress().getPort() + "/mlflow/v1.0"
                + WS_PATH;
    }

    /** A token as Entra ID would issue it to this principal, for a test playing the Azure CLI. */
    String issueToken(long lifetimeSeconds) {
        String t = "fake." + UUID.randomUUID();
        tokens.put(t, Instant.now().plusSeconds(lifetimeSeconds));
        return t;
    }

    /** Makes every token issued so far expired: the next ARM call with one gets 401 ExpiredAuthenticationToken. */
    void expireAllTokens() {
        tokens.replaceAll((k, v) -> Instant.EPOCH);
    }

    /** Waits until the service holds at least {@code n} jobs; false if it did not within {@code timeout}. */
    synchronized boolean awaitJobs(int n, java.time.Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (jobs.size() < n) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    public List<Job> jobs() {
        return List.copyOf(jobs.values());
    }

    Map<String, byte[]> blobs() {
        return Map.copyOf(blobs);
    }

    /** Lets jobs held in {@code Queued} start. */
    void releaseQueued() {
        holdQueued = false;
        for (Job j : jobs.values()) {
            if (j.status.equals("Queued") && !j.cancelRequested) {
                runner.execute(() -> run(j));
            }
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            byte[] body = ex.getRequestBody().readAllBytes();
            requests.add(ex.getRequestMethod() + " " + path);
            ex.getResponseHeaders().add("x-ms-request-id", UUID.randomUUID().toString());
            ex.getResponseHeaders().add("x-ms-correlation-request-id", UUID.randomUUID().toString());
            if (path.endsWith("/oauth2/v2.0/token")) {
                token(ex, path, new String(body, StandardCharsets.UTF_8));
            } else if (path.startsWith("/blob/")) {
                blob(ex, path, q, body);
            } else if (path.startsWith("/mlflow/v1.0" + WS_PATH + "/api/2.0/mlflow/")) {
                if (authorized(ex, true)) {
                    mlflow(ex, path.substring(("/mlflow/v1.0" + WS_PATH + "/api/2.0/mlflow/").length()), q, body);
                }
            } else if (path.startsWith("/subscriptions/")) {
                arm(ex, path, q, body);
            } else {
                send(ex, 404, error("NotFound", "no such path " + path));
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            send(ex, 500, error("InternalServerError", e.toString()));
        }
    }

    private void token(HttpExchange ex, String path, String form) throws IOException {
        Map<String, String> f = query(form);
        String tenant = path.substring(1, path.indexOf('/', 1));
        if (!tenant.equals(TENANT)) {
            send(ex, 400, entraError("invalid_request", "AADSTS90002: Tenant '" + tenant + "' not found.", 90002));
        } else if (!"client_credentials".equals(f.get("grant_type")) || f.get("scope") == null
                || !f.get("scope").endsWith("/.default")) {
            send(ex, 400, entraError("invalid_request", "AADSTS1002012: The provided value for scope is not valid.",
                    1002012));
        } else if (!CLIENT.equals(f.get("client_id"))) {
            send(ex, 400, entraError("unauthorized_client", "AADSTS700016: Application with identifier '"
                    + f.get("client_id") + "' was not found in the directory.", 700016));
        } else if (!SECRET.equals(f.get("client_secret"))) {
            send(ex, 401, entraError("invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the"
                    + " secret being sent in the request is the client secret value.\r\nTrace ID: 1", 7000215));
        } else {
            String t = "fake." + UUID.randomUUID();
            tokens.put(t, Instant.now().plusSeconds(tokenLifetimeSeconds));
            tokensIssued.incrementAndGet();
            ObjectNode n = json.createObjectNode().put("token_type", "Bearer").put("expires_in", tokenLifetimeSeconds)
                    .put("ext_expires_in", tokenLifetimeSeconds).put("access_token", t);
            send(ex, 200, n);
        }
    }

    private ObjectNode entraError(String error, String description, int code) {
        ObjectNode n = json.createObjectNode().put("error", error).put("error_description", description);
        n.putArray("error_codes").add(code);
        n.put("trace_id", UUID.randomUUID().toString());
        return n;
    }

    private boolean authorized(HttpExchange ex, boolean mlflow) throws IOException {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        String t = h != null && h.startsWith("Bearer ") ? h.substring(7) : "";
        if (mlflow && runTokens.containsKey(t)) {
            return true;
        }
        Instant expiry = tokens.get(t);
        if (expiry == null || !Instant.now().isBefore(expiry)) {
            boolean expired = expiry != null;
            if (expired) {
                expiredRejections.incrementAndGet();
            }
            ex.getResponseHeaders().add("WWW-Authenticate", "Bearer authorization_uri=\"https://login\", error="
                    + "\"invalid_token\"");
            send(ex, 401, error(expired ? "ExpiredAuthenticationToken" : "InvalidAuthenticationToken",
                    expired ? "The access token expiry UTC time is earlier than current UTC time."
                            : "The access token is invalid."));
            return false;
        }
        return true;
    }

    private void blob(HttpExchange ex, String path, Map<String, String> q, byte[] body) throws IOException {
        if (!ex.getRequestMethod().equals("PUT")) {
            send(ex, 405, error("UnsupportedHttpVerb", "only PUT"));
            return;
        }
        if (!"BlockBlob".equals(ex.getRequestHeaders().getFirst("x-ms-blob-type")) || q.get("sig") == null
                || q.get("se") == null || Instant.parse(q.get("se")).isBefore(Instant.now())) {
            send(ex, 403, error("AuthenticationFailed", "Server failed to authenticate the request."));
            return;
        }
        blobs.put(URLDecoder.decode(path.substring("/blob/".length()), StandardCharsets.UTF_8), body);
        blobPuts.incrementAndGet();
        send(ex, 201, null);
    }

    private void arm(HttpExchange ex, String path, Map<String, String> q, byte[] body) throws IOException {
        if (q.get("api-version") == null) {
            send(ex, 400, error("MissingApiVersionParameter", "The api-version query parameter is required."));
            return;
        }
        if (!q.get("api-version").equals("2024-04-01")) {
            send(ex, 400, error("InvalidApiVersionParameter", "api-version " + q.get("api-version")));
            return;
        }
        if (!authorized(ex, false)) {
            return;
        }
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().add("Retry-After", "1");
            send(ex, 429, error("SubscriptionRequestsThrottled", "Number of requests exceeded the limit."));
            return;
        }
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            send(ex, 503, error("ServiceUnavailable", "try again"));
            return;
        }
        ex.getResponseHeaders().add("x-ms-ratelimit-remaining-subscription-reads", "249");
        if (!path.startsWith(WS_PATH)) {
            send(ex, 404, error("ResourceNotFound", "The Resource was not found."));
            return;
        }
        String rest = path.substring(WS_PATH.length());
        String method = ex.getRequestMethod();
        Matcher m;
        if (rest.isEmpty() && method.equals("GET")) {
            ObjectNode ws = json.createObjectNode().put("id", WS_PATH).put("name", WORKSPACE);
            ws.putObject("properties").put("mlFlowTrackingUri", trackingUri());
            send(ex, 200, ws);
        } else if ((m = Pattern.compile("/codes/([^/]+)/versions/([^/]+)(/startPendingUpload)?").matcher(rest))
                .matches()) {
            String id = WS_PATH + "/codes/" + m.group(1) + "/versions/" + m.group(2);
            if (m.group(3) != null && method.equals("POST")) {
                String folder = "code/" + UUID.randomUUID();
                String blobUri = endpoint() + "/blob/" + folder;
                ObjectNode n = json.createObjectNode();
                ObjectNode ref = n.putObject("blobReferenceForConsumption").put("blobUri", blobUri)
                        .put("storageAccountArmId", "/subscriptions/" + SUBSCRIPTION + "/storage");
                ref.putObject("credential").put("credentialType", "SAS").put("sasUri", blobUri + "?sv=2023-11-03&se="
                        + Instant.now().plusSeconds(3600) + "&sp=rcw&sig=fakesig");
                n.put("pendingUploadId", json.readTree(body).path("pendingUploadId").asText());
                n.put("pendingUploadType", "TemporaryBlobReference");
                send(ex, 200, n);
            } else if (method.equals("PUT")) {
                JsonNode b = json.readTree(body);
                if (!b.path("properties").path("codeUri").isTextual()) {
                    send(ex, 400, error("UserError", "properties.codeUri is required"));
                    return;
                }
                boolean created = codes.put(id, b) == null;
                send(ex, created ? 201 : 200, resource(id, b));
            } else if (method.equals("GET")) {
                JsonNode c = codes.get(id);
                send(ex, c == null ? 404 : 200, c == null ? error("ResourceNotFound", id) : resource(id, c));
            }
        } else if ((m = Pattern.compile("/environments/([^/]+)/versions/([^/]+)").matcher(rest)).matches()) {
            String id = WS_PATH + rest;
            if (method.equals("PUT")) {
                JsonNode b = json.readTree(body);
                if (!b.path("properties").path("image").isTextual()) {
                    send(ex, 400, error("UserError", "properties.image is required"));
                    return;
                }
                boolean created = environments.put(id, b) == null;
                send(ex, created ? 201 : 200, resource(id, b));
            } else {
                JsonNode e = environments.get(id);
                send(ex, e == null ? 404 : 200, e == null ? error("ResourceNotFound", id) : resource(id, e));
            }
        } else if (rest.equals("/jobs") && method.equals("GET")) {
            listJobs(ex, q);
        } else if ((m = Pattern.compile("/jobs/([^/]+)").matcher(rest)).matches()) {
            if (method.equals("PUT")) {
                putJob(ex, m.group(1), body);
            } else if (method.equals("GET")) {
                Job j = jobs.get(m.group(1));
                send(ex, j == null ? 404 : 200, j == null ? error("ResourceNotFound", "job " + m.group(1))
                        : jobResource(j));
            } else {
                send(ex, 405, error("UnsupportedHttpVerb", method));
            }
        } else if ((m = Pattern.compile("/jobs/([^/]+)/cancel").matcher(rest)).matches() && method.equals("POST")) {
            cancel(ex, m.group(1));
        } else if ((m = Pattern.compile("/operations/([^/]+)").matcher(rest)).matches() && method.equals("GET")) {
            Integer left = operations.get(m.group(1));
            if (left == null) {
                send(ex, 404, error("ResourceNotFound", "operation"));
            } else if (left > 0) {
                operations.put(m.group(1), left - 1);
                ex.getResponseHeaders().add("Retry-After", "0");
                send(ex, 202, null);
            } else {
                send(ex, 200, null);
            }
        } else {
            send(ex, 404, error("ResourceNotFound", "no such resource " + rest));
        }
    }

    private void putJob(HttpExchange ex, String name, byte[] body) throws IOException {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9\\-_]{0,254}")) {
            send(ex, 400, error("UserError", "job name '" + name + "' does not match the id pattern"));
            return;
        }
        JsonNode p = json.readTree(body).path("properties");
        List<String> problems = new ArrayList<>();
        p.fieldNames().forEachRemaining(k -> {
            if (READ_ONLY.contains(k)) {
                problems.add(k + " is read-only");
            } else if (!JOB_KEYS.contains(k)) {
                problems.add("unknown property " + k);
            }
        });
        if (!p.path("jobType").asText().equals("Command")) {
            problems.add("jobType must be Command");
        }
        if (p.path("command").asText("").isBlank()) {
            problems.add("command is required");
        }
        String env = p.path("environmentId").asText("");
        if (!environments.containsKey(env) && !env.startsWith("azureml://registries/")) {
            problems.add("environmentId " + env + " cannot be resolved");
        }
        if (p.has("codeId") && !codes.containsKey(p.path("codeId").asText())) {
            problems.add("codeId " + p.path("codeId").asText() + " cannot be resolved");
        }
        if (!p.path("computeId").asText().equals(WS_PATH + "/computes/" + COMPUTE)) {
            problems.add("computeId " + p.path("computeId").asText() + " is not a compute of the workspace");
        }
        p.path("environmentVariables").fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                problems.add("environmentVariables." + e.getKey() + " must be a string");
            }
        });
        if (!problems.isEmpty()) {
            ObjectNode err = error("UserError", String.join("; ", problems));
            send(ex, 400, err);
            return;
        }
        Job existing = jobs.get(name);
        if (existing != null) {
            if (existing.properties.equals(p)) {
                send(ex, 200, jobResource(existing));
            } else {
                send(ex, 400, error("UserError", "job " + name + " exists with other immutable properties"));
            }
            return;
        }
        Job j = new Job(name, p);
        synchronized (this) {
            jobs.put(name, j);
            notifyAll();
        }
        send(ex, 201, jobResource(j));
        runner.execute(() -> queue(j));
    }

    private void queue(Job j) {
        j.status = "Preparing";
        j.status = "Queued";
        if (!holdQueued && jobs.values().stream().filter(x -> x.status.equals("Running")).count() < nodes) {
            run(j);
        }
    }

    private synchronized void run(Job j) {
        if (j.cancelRequested || !j.status.equals("Queued")) {
            return;
        }
        try {
            Path dir = Files.createDirectories(root.resolve("jobs").resolve(j.name));
            String codeUri = codes.get(j.properties.path("codeId").asText()).path("properties").path("codeUri")
                    .asText();
            String prefix = codeUri.substring(codeUri.indexOf("/blob/") + "/blob/".length()) + "/";
            for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
                if (b.getKey().startsWith(prefix)) {
                    Path f = dir.resolve(b.getKey().substring(prefix.length()));
                    Files.createDirectories(f.getParent());
                    Files.write(f, b.getValue());
                }
            }
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", j.properties.path("command").asText())
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("user_logs.txt").toFile());
            Map<String, String> env = pb.environment();
            j.properties.path("environmentVariables").fields().forEachRemaining(e -> env.put(e.getKey(),
                    e.getValue().asText()));
            String runToken = "run." + UUID.randomUUID();
            runTokens.put(runToken, j.name);
            env.put("MLFLOW_TRACKING_URI", trackingUri());
            env.put("MLFLOW_RUN_ID", j.name);
            env.put("MLFLOW_EXPERIMENT_NAME", j.properties.path("experimentName").asText("Default"));
            env.put("MLFLOW_TRACKING_TOKEN", runToken);
            env.put("PATH", "/usr/bin:/bin:" + env.getOrDefault("PATH", ""));
            caFile.ifPresent(ca -> env.put("SSL_CERT_FILE", ca.toString()));
            j.process = pb.start();
            j.status = "Running";
            j.process.onExit().thenAccept(p -> {
                if (j.cancelRequested) {
                    j.status = "Canceled";
                } else {
                    j.status = "Finalizing";
                    j.status = p.exitValue() == 0 ? "Completed" : "Failed";
                }
            });
        } catch (IOException e) {
            j.status = "Failed";
            throw new UncheckedIOException(e);
        }
    }

    private void cancel(HttpExchange ex, String name) throws IOException {
        Job j = jobs.get(name);
        if (j == null) {
            send(ex, 404, error("ResourceNotFound", "job " + name));
            return;
        }
        synchronized (this) {
            if (TERMINAL.contains(j.status)) {
                send(ex, 200, null);
                return;
            }
            j.cancelRequested = true;
            j.status = "CancelRequested";
            Process p = j.process;
            if (p == null) {
                j.status = "Canceled";
            } else {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        String op = "cancel-" + UUID.randomUUID();
        operations.put(op, cancelOperationPolls);
        ex.getResponseHeaders().add("Location", endpoint() + WS_PATH + "/operations/" + op
                + "?api-version=2024-04-01");
        ex.getResponseHeaders().add("Retry-After", "0");
        send(ex, 202, null);
    }

    private void listJobs(HttpExchange ex, Map<String, String> q) throws IOException {
        String tag = q.get("tag");
        List<Job> match = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (tag == null || j.properties.path("tags").has(tag)) {
                match.add(j);
            }
        }
        match.sort((a, b) -> a.name.compareTo(b.name));
        int skip = q.containsKey("$skip") ? Integer.parseInt(q.get("$skip")) : 0;
        ObjectNode n = json.createObjectNode();
        ArrayNode value = n.putArray("value");
        for (int i = skip; i < Math.min(match.size(), skip + PAGE); i++) {
            value.add(jobResource(match.get(i)));
        }
        if (skip + PAGE < match.size()) {
            n.put("nextLink", endpoint() + WS_PATH + "/jobs?api-version=2024-04-01&jobType=Command"
                    + (tag == null ? "" : "&tag=" + java.net.URLEncoder.encode(tag, StandardCharsets.UTF_8))
                    + "&$skip=" + (skip + PAGE));
        }
        send(ex, 200, n);
    }

    private void mlflow(HttpExchange ex, String op, Map<String, String> q, byte[] body) throws IOException {
        switch (op) {
            case "runs/log-metric" -> {
                JsonNode b = json.readTree(body);
                Job j = jobs.get(b.path("run_id").asText());
                if (j == null) {
                    send(ex, 404, mlflowError("RESOURCE_DOES_NOT_EXIST", "run " + b.path("run_id").asText()));
                    return;
                }
                if (!b.path("value").isNumber()) {
                    send(ex, 400, mlflowError("INVALID_PARAMETER_VALUE", "value must be a number"));
                    return;
                }
                synchronized (j) {
                    j.metrics.computeIfAbsent(b.path("key").asText(), k -> new ArrayList<>())
                            .add(new double[] {b.path("value").asDouble(), b.path("step").asLong()});
                }
                send(ex, 200, json.createObjectNode());
            }
            case "runs/set-tag" -> {
                JsonNode b = json.readTree(body);
                Job j = jobs.get(b.path("run_id").asText());
                if (j == null) {
                    send(ex, 404, mlflowError("RESOURCE_DOES_NOT_EXIST", "run"));
                    return;
                }
                synchronized (j) {
                    j.tags.put(b.path("key").asText(), b.path("value").asText());
                }
                send(ex, 200, json.createObjectNode());
            }
            case "runs/get" -> {
                Job j = jobs.get(q.getOrDefault("run_id", ""));
                if (j == null) {
                    send(ex, 404, mlflowError("RESOURCE_DOES_NOT_EXIST", "run"));
                    return;
                }
                ObjectNode n = json.createObjectNode();
                ObjectNode run = n.putObject("run");
                run.putObject("info").put("run_id", j.name).put("status", switch (j.status) {
                    case "Completed" -> "FINISHED";
                    case "Failed" -> "FAILED";
                    case "Canceled" -> "KILLED";
                    default -> "RUNNING";
                });
                ObjectNode data = run.putObject("data");
                ArrayNode metrics = data.putArray("metrics");
                ArrayNode tags = data.putArray("tags");
                synchronized (j) {
                    j.metrics.forEach((k, v) -> {
                        double[] last = v.get(v.size() - 1);
                        metrics.addObject().put("key", k).put("value", last[0]).put("step", (long) last[1]);
                    });
                    j.tags.forEach((k, v) -> tags.addObject().put("key", k).put("value", v));
                }
                send(ex, 200, n);
            }
            case "metrics/get-history" -> {
                Job j = jobs.get(q.getOrDefault("run_id", ""));
                if (j == null) {
                    send(ex, 404, mlflowError("RESOURCE_DOES_NOT_EXIST", "run"));
                    return;
                }
                int from = q.containsKey("page_token") ? Integer.parseInt(q.get("page_token")) : 0;
                ObjectNode n = json.createObjectNode();
                ArrayNode out = n.putArray("metrics");
                synchronized (j) {
                    List<double[]> all = j.metrics.getOrDefault(q.get("metric_key"), List.of());
                    for (int i = from; i < Math.min(all.size(), from + HISTORY_PAGE); i++) {
                        out.addObject().put("key", q.get("metric_key")).put("value", all.get(i)[0])
                                .put("step", (long) all.get(i)[1]).put("timestamp", 0);
                    }
                    if (from + HISTORY_PAGE < all.size()) {
                        n.put("next_page_token", Integer.toString(from + HISTORY_PAGE));
                    }
                }
                send(ex, 200, n);
            }
            default -> send(ex, 404, mlflowError("ENDPOINT_NOT_FOUND", op));
        }
    }

    private ObjectNode jobResource(Job j) {
        ObjectNode n = resource(WS_PATH + "/jobs/" + j.name, json.createObjectNode().set("properties",
                j.properties.deepCopy()));
        n.put("type", "Microsoft.MachineLearningServices/workspaces/jobs");
        ObjectNode props = (ObjectNode) n.get("properties");
        props.put("status", j.status);
        return n;
    }

    private ObjectNode resource(String id, JsonNode body) {
        ObjectNode n = json.createObjectNode().put("id", id).put("name", id.substring(id.lastIndexOf('/') + 1));
        n.set("properties", body.path("properties").deepCopy());
        n.putObject("systemData").put("createdAt", Instant.now().toString()).put("createdByType", "Application");
        return n;
    }

    private ObjectNode error(String code, String message) {
        ObjectNode n = json.createObjectNode();
        n.putObject("error").put("code", code).put("message", message);
        return n;
    }

    private ObjectNode mlflowError(String code, String message) {
        return json.createObjectNode().put("error_code", code).put("message", message);
    }

    private void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = body == null ? new byte[0] : json.writeValueAsBytes(body);
        if (b.length > 0) {
            ex.getResponseHeaders().add("Content-Type", "application/json");
        }
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            ex.getResponseBody().write(b);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        for (Job j : jobs.values()) {
            Process p = j.process;
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        runner.shutdownNow();
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
