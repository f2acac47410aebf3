package dev.hybrid.platform.openpai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * An OpenPAI rest-server on a loopback port, written from its swagger and protocol schema
 * ({@code shared/specs/openpai/}): {@code POST /jobs} (YAML as {@code text/*}, every protocol validated against the
 * schema, 409 for a name taken), {@code GET /jobs} (JobSummary array, filtered by user and keyword),
 * {@code GET /jobs/{user}~{name}}, {@code PUT .../executionType}, {@code GET /storages}, {@code GET
 * /virtual-clusters}, under {@code /rest-server/api/v2} and {@code /api/v2}, with Bearer tokens.
 *
 * <p>Each job's commands run as a local process ({@code bash}), with the container's mount point of the job's storage
 * replaced by a folder of this machine, so a job really runs its trial and writes its files there. Jobs beyond
 * {@link #capacity(int)} wait ({@code WAITING}, subState {@code AttemptCreationRequested}); submissions can be
 * throttled (429 with {@code Retry-After}); the server can go silent (it accepts connections and never answers) and
 * come back.
 */
public final class FakeOpenPai implements AutoCloseable {
    public static final String USER = "alice";
    public static final String TOKEN = "alice-token-5f1e";
    public static final String STORAGE = "confignfs-data";
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,255}$");
    private static final Pattern C_IDENTIFIER = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService ticker;
    private final Path storageDir;
    private final Optional<ProtocolSchema> schema = ProtocolSchema.find();
    private final Map<String, FakeJob> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<String> protocols = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Object silence = new Object();
    private volatile boolean silent;
    private volatile boolean tokenValid = true;
    private volatile int capacity = Integer.MAX_VALUE;
    private final AtomicInteger throttled = new AtomicInteger();
    private final AtomicInteger conflicts = new AtomicInteger();
    private final AtomicInteger unavailable = new AtomicInteger();
    private volatile int retryAfterSeconds = 1;
    private volatile boolean closed;

    private FakeOpenPai(Path storageDir) throws IOException {
        this.storageDir = storageDir;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.handlers = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "fake-openpai");
            t.setDaemon(true);
            return t;
        });
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fake-openpai-cluster");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    /** A server whose storage {@value #STORAGE} is the folder {@code storageDir} on this machine. */
    public static FakeOpenPai start(Path storageDir) throws IOException {
        FakeOpenPai fake = new FakeOpenPai(storageDir);
        fake.server.start();
        fake.ticker.scheduleWithFixedDelay(fake::tick, 10, 10, TimeUnit.MILLISECONDS);
        return fake;
    }

    /** The base URL, as a user writes it in {@code host}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many jobs may run at once; the others wait in the queue. */
    public FakeOpenPai capacity(int jobs) {
        this.capacity = jobs;
        return this;
    }

    /** The next {@code n} submissions get 429 with {@code Retry-After: seconds}. */
    public void throttleSubmissions(int n, int seconds) {
        retryAfterSeconds = seconds;
        throttled.set(n);
    }

    /** The next {@code n} submissions get 503 from the proxy, an HTML page without {@code Retry-After}. */
    public void failSubmissions(int n) {
        unavailable.set(n);
    }

    /** Deletes a job, as an administrator can: it is no longer listed. */
    public void deleteJob(String name) {
        FakeJob j = jobs.remove(name);
        if (j != null && j.process != null) {
            j.process.descendants().forEach(ProcessHandle::destroyForcibly);
            j.process.destroyForcibly();
        }
    }

    /** The next {@code n} valid submissions get 409 {@code ConflictJobError}, as if a job of that name existed. */
    public void conflictSubmissions(int n) {
        conflicts.set(n);
    }

    /** While silent, the server accepts connections and reads requests but never answers. */
    public void silent(boolean on) {
        synchronized (silence) {
            silent = on;
            silence.notifyAll();
        }
    }

    /** Revokes the user's token: every call gets 401 from now on. */
    public void revokeToken() {
        tokenValid = false;
    }

    /** Every protocol submitted, as sent. */
    public List<String> protocols() {
        return List.copyOf(protocols);
    }

    /** Every request, as {@code METHOD path?query}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /**
     * Waits until {@code n} requests starting with {@code prefix} ({@code "POST "}) have arrived.
     *
     * @throws AssertionError if they do not arrive within {@code timeout}
     */
    public void awaitRequests(String prefix, int n, java.time.Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (requests) {
            while (requests.stream().filter(r -> r.startsWith(prefix)).count() < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("fewer than " + n + " requests '" + prefix + "...' within " + timeout
                            + ": " + requests);
                }
                requests.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Each job's state, by name. */
    public Map<String, String> states() {
        Map<String, String> out = new LinkedHashMap<>();
        synchronized (jobs) {
            jobs.forEach((k, v) -> out.put(k, v.state));
        }
        return out;
    }

    /** Stops a job as another user or an administrator would. */
    public void stopJob(String name) {
        FakeJob j = jobs.get(name);
        if (j != null) {
            j.stop();
        }
    }

    // ---- the cluster ----------------------------------------------------------------------------------------

    private final class FakeJob {
        final String name;
        final String script;
        final long submitted = System.currentTimeMillis();
        volatile String state = "WAITING";
        volatile String subState = "AttemptCreationRequested";
        volatile String executionType = "START";
        volatile Integer exitCode;
        volatile Process process;
        volatile Long launched;
        volatile Long completed;

        FakeJob(String name, String script) {
            this.name = name;
            this.script = script;
        }

        synchronized void stop() {
            if (state.equals("WAITING") || state.equals("RUNNING")) {
                executionType = "STOP";
                state = "STOPPING";
                subState = "AttemptDeletionRequested";
                Process p = process;
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }

        Map<String, Object> summary() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("username", USER);
            m.put("state", state);
            m.put("subState", subState);
            m.put("executionType", executionType);
            m.put("retries", 0);
            m.put("submissionTime", submitted);
            m.put("launchedTime", launched);
            m.put("completedTime", completed);
            m.put("appExitCode", exitCode);
            m.put("virtualCluster", "default");
            m.put("totalGpuNumber", 0);
            m.put("totalTaskNumber", 1);
            m.put("totalTaskRoleNumber", 1);
            return m;
        }
    }

    private void tick() {
        List<FakeJob> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        long running = all.stream().filter(j -> j.state.equals("RUNNING")).count();
        for (FakeJob j : all) {
            synchronized (j) {
                switch (j.state) {
                    case "WAITING" -> {
                        if (running < capacity) {
                            launch(j);
                            running++;
                        }
                    }
                    case "RUNNING" -> {
                        if (!j.process.isAlive()) {
                            int code = j.process.exitValue();
                            j.exitCode = code;
                            j.state = code == 0 ? "SUCCEEDED" : "FAILED";
                            j.subState = "Completed";
                            j.completed = System.currentTimeMillis();
                        }
                    }
                    case "STOPPING" -> {
                        if (j.process == null || !j.process.isAlive()) {
                            j.state = "STOPPED";
                            j.subState = "Completed";
                            j.exitCode = -210;
                            j.completed = System.currentTimeMillis();
                        }
                    }
                    default -> {
                    }
                }
            }
        }
    }

    private void launch(FakeJob j) {
        try {
            j.process = new ProcessBuilder("bash", "-c", j.script).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            j.state = "RUNNING";
            j.subState = "AttemptRunning";
            j.launched = System.currentTimeMillis();
        } catch (IOException e) {
            j.state = "FAILED";
            j.exitCode = -1;
        }
    }

    // ---- the API ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String query = Optional.ofNullable(ex.getRequestURI().getRawQuery()).orElse("");
            byte[] body = ex.getRequestBody().readAllBytes();
            synchronized (requests) {
                requests.add(ex.getRequestMethod() + " " + path + (query.isEmpty() ? "" : "?" + query));
                requests.notifyAll();
            }
            synchronized (silence) {
                while (silent && !closed) {
                    try {
                        silence.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
            String api = path.startsWith("/rest-server/api/v2/") ? path.substring("/rest-server/api/v2".length())
                    : path.startsWith("/api/v2/") ? path.substring("/api/v2".length()) : null;
            if (api == null) {
                error(ex, 404, "NoApiError", "API " + path + " is not found.");
                return;
            }
            String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
            if (auth.isEmpty()) {
                error(ex, 401, "UnauthorizedUserError", "Guest is not allowed to do this operation.");
                return;
            }
            if (!auth.equals("Bearer " + TOKEN) || !tokenValid) {
                error(ex, 401, "UnauthorizedUserError", "Your token is invalid.");
                return;
            }
            String method = ex.getRequestMethod();
            if (api.equals("/jobs") && method.equals("POST")) {
                submit(ex, new String(body, StandardCharsets.UTF_8));
            } else if (api.equals("/jobs") && method.equals("GET")) {
                list(ex, query);
            } else if (api.startsWith("/jobs/") && api.endsWith("/executionType") && method.equals("PUT")) {
                execution(ex, api.substring("/jobs/".length(), api.length() - "/executionType".length()), body);
            } else if (api.startsWith("/jobs/") && method.equals("GET") && api.indexOf('/', 6) < 0) {
                FakeJob j = byFrameworkName(api.substring("/jobs/".length()));
                if (j == null) {
                    error(ex, 404, "NoJobError", "Job " + api.substring(6) + " is not found.");
                } else {
                    json(ex, 200, Map.of("name", j.name, "jobStatus", j.summary()));
                }
            } else if (api.equals("/storages") && method.equals("GET")) {
                json(ex, 200, List.of(Map.of("name", STORAGE, "share", true, "volumeName", "nfs")));
            } else if (api.equals("/virtual-clusters") && method.equals("GET")) {
                json(ex, 200, Map.of("default", Map.of("status", "RUNNING")));
            } else {
                error(ex, 404, "NoApiError", "API " + path + " is not found.");
            }
        } catch (IOException e) {
            // the client gave up (timed out) while the server was silent
        }
    }

    private void submit(HttpExchange ex, String yaml) throws IOException {
        String type = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!type.startsWith("text/")) {
            error(ex, 400, "InvalidProtocolError", "the job protocol must be sent as text/yaml, was " + type);
            return;
        }
        if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().set("Content-Type", "text/html");
            send(ex, 503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>");
            return;
        }
        if (throttled.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ex.getResponseHeaders().set("Retry-After", Integer.toString(retryAfterSeconds));
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            send(ex, 429, "Too many requests, please try again later.");
            return;
        }
        Object doc;
        try {
            doc = YAML.readValue(yaml, Object.class);
        } catch (IOException e) {
            error(ex, 400, "InvalidProtocolError", "cannot parse YAML: " + e.getMessage());
            return;
        }
        List<String> problems = validate(doc);
        if (!problems.isEmpty()) {
            error(ex, 400, "InvalidProtocolError", JSON.writeValueAsString(problems));
            return;
        }
        protocols.add(yaml);
        @SuppressWarnings("unchecked")
        Map<String, Object> p = (Map<String, Object>) doc;
        String name = String.valueOf(p.get("name"));
        if (p.get("defaults") instanceof Map<?, ?> d && d.get("virtualCluster") != null
                && !"default".equals(d.get("virtualCluster"))) {
            error(ex, 403, "ForbiddenUserError", "User " + USER + " is not allowed to do operation in "
                    + d.get("virtualCluster"));
            return;
        }
        synchronized (jobs) {
            if (jobs.containsKey(name) || conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                error(ex, 409, "ConflictJobError", "Job " + USER + "~" + name + " already exists.");
                return;
            }
            jobs.put(name, new FakeJob(name, script(p)));
        }
        json(ex, 202, Map.of("status", 202, "message", "Update job " + name + " for user " + USER
                + " successfully."));
    }

    /** The schema's checks, then what the rest-server checks beyond it. */
    @SuppressWarnings("unchecked")
    private List<String> validate(Object doc) {
        List<String> problems = new ArrayList<>(schema.map(s -> s.validate(doc)).orElse(List.of()));
        if (!(doc instanceof Map<?, ?> m)) {
            problems.add("$: must be a mapping");
            return problems;
        }
        Map<String, Object> p = (Map<String, Object>) m;
        if (!NAME.matcher(String.valueOf(p.get("name"))).matches()) {
            problems.add("$.name: must match ^[a-zA-Z0-9_-]+$ (1 to 255 characters)");
        }
        List<String> images = new ArrayList<>();
        if (p.get("prerequisites") instanceof List<?> pre) {
            for (Object o : pre) {
                if (o instanceof Map<?, ?> pr && "dockerimage".equals(pr.get("type"))) {
                    images.add(String.valueOf(pr.get("name")));
                }
            }
        }
        if (!(p.get("taskRoles") instanceof Map<?, ?> roles) || roles.isEmpty()) {
            problems.add("$.taskRoles: must have at least one task role");
            return problems;
        }
        for (Map.Entry<?, ?> e : roles.entrySet()) {
            if (!C_IDENTIFIER.matcher(String.valueOf(e.getKey())).matches()) {
                problems.add("$.taskRoles." + e.getKey() + ": must be a valid C identifier");
            }
            if (e.getValue() instanceof Map<?, ?> role && !images.contains(String.valueOf(role.get("dockerImage")))) {
                problems.add("$.taskRoles." + e.getKey() + ".dockerImage: Prerequisite " + role.get("dockerImage")
                        + " does not exist.");
            }
        }
        return problems;
    }

    /** The job's commands as one bash script, the storage's container mount point mapped to the local folder. */
    private String script(Map<String, Object> p) {
        String mount = "/mnt/" + STORAGE;
        if (p.get("extras") instanceof Map<?, ?> extras && extras.get("storages") instanceof List<?> storages) {
            for (Object s : storages) {
                if (s instanceof Map<?, ?> st && STORAGE.equals(st.get("name")) && st.get("mountPath") != null) {
                    mount = String.valueOf(st.get("mountPath"));
                }
            }
        }
        List<String> lines = new ArrayList<>();
        for (Object role : ((Map<?, ?>) p.get("taskRoles")).values()) {
            for (Object c : (List<?>) ((Map<?, ?>) role).get("commands")) {
                lines.add(String.valueOf(c).replace(mount, storageDir.toString()));
            }
        }
        return String.join("\n", lines);
    }

    private void list(HttpExchange ex, String query) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        int limit = Integer.parseInt(q.getOrDefault("limit", "5000"));
        if (limit > 50000) {
            error(ex, 400, "InvalidParametersError", "limit must be at most 50000");
            return;
        }
        String keyword = q.getOrDefault("keyword", "");
        List<Object> out = new ArrayList<>();
        synchronized (jobs) {
            List<FakeJob> all = new ArrayList<>(jobs.values());
            Collections.reverse(all); // submissionTime DESC
            for (FakeJob j : all) {
                if (j.name.contains(keyword) && out.size() < limit) {
                    out.add(j.summary());
                }
            }
        }
        json(ex, 200, out);
    }

    private void execution(HttpExchange ex, String frameworkName, byte[] body) throws IOException {
        FakeJob j = byFrameworkName(frameworkName);
        if (j == null) {
            error(ex, 404, "NoJobError", "Job " + frameworkName + " is not found.");
            return;
        }
        Map<?, ?> req = JSON.readValue(body, Map.class);
        Object value = req.get("value");
        if ("STOP".equals(value)) {
            j.stop();
        } else if (!"START".equals(value)) {
            error(ex, 400, "InvalidParametersError", "value must be STOP or START");
            return;
        }
        json(ex, 202, Map.of("status", 202, "message", "Execute job " + j.name + " successfully."));
    }

    private FakeJob byFrameworkName(String fw) {
        int tilde = fw.indexOf('~');
        if (tilde < 0 || !fw.substring(0, tilde).equals(USER)) {
            return null;
        }
        return jobs.get(fw.substring(tilde + 1));
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        json(ex, status, Map.of("code", code, "message", message));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        send(ex, status, JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Whether the schema of {@code shared/specs/openpai} was found (else only the rest-server's own checks run). */
    public boolean validatesAgainstSchema() {
        return schema.isPresent();
    }

    @Override
    public void close() {
        closed = true;
        silent(false);
        server.stop(0);
        ticker.shutdownNow();
        handlers.shutdownNow();
        synchronized (jobs) {
            for (FakeJob j : jobs.values()) {
                Process p = j.process;
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
        }
    }
}
