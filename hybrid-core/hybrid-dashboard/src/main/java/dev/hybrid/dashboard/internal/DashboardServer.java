package dev.hybrid.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hybrid.config.Durations;
import dev.hybrid.store.ControlRequest;
import dev.hybrid.trial.TrialId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP server: the page, its scripts and the JSON API over one {@link ExperimentSource}.
 *
 * <p>Speed: the JSON documents are built from {@link Views} of one snapshot and kept until the next. The first
 * snapshot is read, and the page's first documents built, before {@link #start} returns; after that a thread of its
 * own ({@code hybrid-dashboard-refresh}) looks for a change every {@code 200 ms} while requests come, reads what
 * changed, builds again every document asked for from the previous snapshot (each view from the previous one's, see
 * {@link Views#Views(Snapshot, ExperimentSource, Object, Views)}) and only then publishes them together. A request
 * answers from the latest published documents and waits for no build, unless they are more than a few seconds behind
 * a change (nobody looked for a while). {@code /api/cursor} tells the page both the experiment's cursor and the one
 * the documents were built from.
 *
 * <p>Security: every response forbids caching and framing. Bound to a loopback address, a request must name that
 * address (or {@code localhost}) in its {@code Host} header, which defeats DNS rebinding; bound to any other address,
 * every request but the static scripts must carry the token (the {@code token} query parameter, as in the printed
 * URL, or the {@code X-Hybrid-Token} header). State-changing requests (POST) always need the token in the header
 * and an {@code Origin} equal to the page's own, so another site open in the same browser cannot steer the
 * experiment. The page learns the token from a meta tag of the page itself, which another origin cannot read.
 */
public final class DashboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN_HEADER = "X-Hybrid-Token";
    private static final String NODELAY = "sun.net.httpserver.nodelay";
    /** How often the refresher looks for a change. */
    private static final Duration POLL = Duration.ofMillis(200);
    /** The least time between two reads of a changing experiment. */
    private static final Duration MIN_REFRESH = Duration.ofSeconds(1);
    /** Views older than this are built again before a request is answered from them, if the experiment changed. */
    private static final Duration STALE = Duration.ofSeconds(3);
    /** How long after the last request the refresher keeps building views ahead of requests. */
    private static final Duration LOOKING = Duration.ofSeconds(30);
    /** What the page asks for first, built when the dashboard starts. */
    private static final List<Request> FIRST_BUILT = List.of(
            new Request("/api/overview", new java.util.TreeMap<>()),
            new Request("/api/trials", new java.util.TreeMap<>(Map.of("sort", "sequence", "order", "asc",
                    "offset", "0", "limit", "50"))),
            new Request("/api/charts/best", new java.util.TreeMap<>()),
            new Request("/api/charts/curves", new java.util.TreeMap<>()),
            new Request("/api/charts/parallel", new java.util.TreeMap<>()),
            new Request("/api/charts/timeline", new java.util.TreeMap<>()),
            new Request("/api/charts/importance", new java.util.TreeMap<>()));

    private final ExperimentSource source;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final boolean loopback;
    private final Set<String> allowedHosts;
    private final Assets assets;
    private final Clock clock;
    /** Held around every use of {@link #source}, which is not thread-safe. */
    private final Object sourceLock = new Object();
    /** Held while a new snapshot is read and its views built, so that only one thread does it at a time. */
    private final Object refreshLock = new Object();
    /** Reads the experiment again after a change and builds the views the page asks for, ahead of its requests. */
    private final ScheduledExecutorService refresher;
    /** The latest views and the documents built from them; replaced whole, never changed in place but its cache. */
    private volatile Published published;
    /** When a request last came: views are built ahead of requests only while someone looks. */
    private volatile Instant lastAsked = Instant.EPOCH;
    private boolean closed;

    private DashboardServer(ExperimentSource source, HttpServer server, ExecutorService executor,
            ScheduledExecutorService refresher, String token, boolean loopback, Set<String> allowedHosts, Assets assets,
            Clock clock) {
        this.source = source;
        this.refresher = refresher;
        this.server = server;
        this.executor = executor;
        this.token = token;
        this.loopback = loopback;
        this.allowedHosts = allowedHosts;
        this.assets = assets;
        this.clock = clock;
    }

    /**
     * Binds {@code host:port} (port 0: any free one) and starts serving {@code source}, which the server closes.
     *
     * @throws IOException if the address cannot be bound
     */
    public static DashboardServer start(ExperimentSource source, String host, int port, Clock clock)
            throws IOException {
        return start(source, host, port, clock, !InetAddress.getByName(host).isLoopbackAddress());
    }

    /**
     * As {@link #start(ExperimentSource, String, int, Clock)}, choosing whether every request needs the token (as
     * off loopback) rather than deciding it from the address: tests check the token on loopback.
     */
    public static DashboardServer start(ExperimentSource source, String host, int port, Clock clock,
            boolean tokenEverywhere) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        boolean loopback = !tokenEverywhere;
        // The JDK's server writes a response's headers and body separately; with Nagle's algorithm on, a small
        // response then waits for the client's delayed ACK (40 ms on Linux), which made every request take 40 ms
        // more. The property is read once, when the JVM's first such server starts; an application's choice wins.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 0);
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256),
                r -> {
                    Thread t = new Thread(r, "hybrid-dashboard-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        int bound = server.getAddress().getPort();
        Set<String> hosts = new java.util.HashSet<>(List.of("127.0.0.1:" + bound, "localhost:" + bound,
                "[::1]:" + bound, address.getHostAddress() + ":" + bound));
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hybrid-dashboard-refresh");
            t.setDaemon(true);
            return t;
        });
        DashboardServer s = new DashboardServer(source, server, executor, refresher, token, loopback, hosts,
                Assets.load(), clock);
        // The first read of a big experiment (every trial) and the first build of each view, with the JVM still
        // cold, take most of a second: done here, before the URL is handed out, no request waits for them.
        try {
            s.refresh(false);
        } catch (RuntimeException e) {
            log.warn("The dashboard could not read the experiment yet; it tries again on the first request", e);
        }
        server.createContext("/", s::handle);
        server.setExecutor(executor);
        server.start();
        refresher.scheduleWithFixedDelay(s::refreshAhead, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        s.warmUp(address, bound);
        if (!loopback) {
            log.warn("The dashboard listens on {}, reachable from other machines: every request needs the token in "
                    + "its URL; anyone who has the URL can see and steer the experiment", address.getHostAddress());
        }
        return s;
    }

    /**
     * Sends the server one request of its own (the page) before the URL is handed out: the JDK's HTTP server
     * loads and starts what it needs on its first request, which made the page's first request take over 100 ms.
     * A failure here only means that the first request pays for it.
     */
    private void warmUp(InetAddress address, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress(address.isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                    : address, port), 2000);
            socket.setSoTimeout(5000);
            String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
            host = host.contains(":") ? "[" + host + "]" : host;
            socket.getOutputStream().write(("GET /?token=" + token + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.getInputStream().readAllBytes();
        } catch (IOException e) {
            log.debug("Warming up the dashboard's server failed", e);
        }
    }

    /** The page's address; it carries the token where every request needs it (not on loopback). */
    public URI url(String publicHost) {
        String host = publicHost.contains(":") && !publicHost.startsWith("[") ? "[" + publicHost + "]" : publicHost;
        String base = "http://" + host + ":" + port() + "/";
        return URI.create(loopback ? base : base + "?token=" + token);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public boolean requiresToken() {
        return !loopback;
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Response r;
            try {
                r = route(ex);
            } catch (BadRequest e) {
                r = Response.error(e.status, e.getMessage());
            } catch (RuntimeException e) {
                log.warn("Dashboard request {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
                r = Response.error(500, "internal error: " + e.getClass().getSimpleName());
            }
            send(ex, r);
        }
    }

    private Response route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String host = ex.getRequestHeaders().getFirst("Host");
        if (loopback && (host == null || !allowedHosts.contains(host.toLowerCase(java.util.Locale.ROOT)))) {
            throw new BadRequest(403, "unexpected Host header: the dashboard answers only to its own address");
        }
        boolean isAsset = method.equals("GET") && assets.has(path);
        if (isAsset && !path.equals("/")) {
            return assets.get(path);
        }
        if (!loopback && !tokenMatches(Optional.ofNullable(ex.getRequestHeaders().getFirst(TOKEN_HEADER))
                .or(() -> Optional.ofNullable(query.get("token"))))) {
            throw new BadRequest(401, "this dashboard needs the token of its URL (as printed when it started)");
        }
        if (path.equals("/")) {
            if (!method.equals("GET")) {
                throw new BadRequest(405, "only GET here");
            }
            return assets.page(token);
        }
        if (method.equals("POST")) {
            checkSameOrigin(ex, host);
            return steer(path, ex.getRequestBody());
        }
        if (!method.equals("GET")) {
            throw new BadRequest(405, method + " is not allowed here");
        }
        return read(path, query);
    }

    private void checkSameOrigin(HttpExchange ex, String host) {
        if (!tokenMatches(Optional.ofNullable(ex.getRequestHeaders().getFirst(TOKEN_HEADER)))) {
            throw new BadRequest(403, "a request that changes the experiment needs the dashboard's token");
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null || host == null || !origin.equalsIgnoreCase("http://" + host)) {
            throw new BadRequest(403, "a request that changes the experiment must come from the dashboard's own page"
                    + " (Origin " + (origin == null ? "missing" : origin) + ")");
        }
    }

    private boolean tokenMatches(Optional<String> given) {
        return given.isPresent() && MessageDigest.isEqual(given.get().getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
    }

    private Response read(String path, Map<String, String> query) {
        lastAsked = clock.instant();
        if (path.equals("/api/cursor")) {
            long cursor;
            synchronized (sourceLock) {
                cursor = source.cursor();
            }
            // cursor: the experiment as it is now; built: the one the documents were built from (the page reloads
            // them when that moves, so it never asks for documents not built yet).
            Published p = published;
            return Response.json(Map.of("cursor", cursor, "built", p == null ? cursor : p.cursor));
        }
        Published p = current();
        if (path.startsWith("/api/trials/")) {
            String id = trialIdIn(path, "");
            if (!p.views.hasTrial(id)) {
                throw new BadRequest(404, "no trial " + id + " in experiment " + p.views.snapshot().info().id());
            }
            // Not kept: its log tails grow without any change to the database.
            return Response.json(p.views.trial(id, true));
        }
        Request request = new Request(path, new java.util.TreeMap<>(query));
        Response cached = p.cached(request);
        if (cached != null) {
            return cached;
        }
        Response r = build(p, request);
        p.keep(request, r);
        return r;
    }

    /** A document the page asked for: its path and query, which the views are built for again after a change. */
    private record Request(String path, java.util.SortedMap<String, String> query) {
        String key() {
            return path + "?" + query;
        }
    }

    private Response build(Published p, Request request) {
        Views v = p.views;
        return switch (request.path()) {
            case "/api/overview" -> Response.json(v.overview(p.cursor));
            case "/api/trials" -> Response.json(v.trials(trialQuery(request.query())));
            case "/api/charts/best" -> Response.json(v.best());
            case "/api/charts/curves" -> Response.json(v.curves());
            case "/api/charts/parallel" -> Response.json(v.parallel());
            case "/api/charts/timeline" -> Response.json(v.timeline());
            case "/api/charts/importance" -> Response.json(v.importance());
            default -> throw new BadRequest(404, "no such page: " + request.path());
        };
    }

    /**
     * The views to answer from: the latest ones. While the page is open the refresher reads each change within about
     * a second and builds the documents on its own thread, so a request waits for no build. Only views over
     * {@link #STALE} old of an experiment that has changed since (the refresher was idle: nobody looked) are built
     * again first, as are the very first ones if the start could not build them.
     */
    private Published current() {
        Published p = published;
        if (p == null) {
            refresh(false);
            return published;
        }
        long cursor;
        synchronized (sourceLock) {
            cursor = source.cursor();
        }
        if (cursor != p.cursor && p.asOf.isBefore(clock.instant().minus(STALE))) {
            refresh(false);
            p = published;
        }
        return p;
    }

    /** On the refresher's thread: builds new views after a change, or each second of a live experiment. */
    private void refreshAhead() {
        if (lastAsked.isBefore(clock.instant().minus(LOOKING))) {
            return;
        }
        try {
            refresh(true);
        } catch (RuntimeException e) {
            // The next request reads again and reports it; logged at debug so that a broken database is not
            // logged five times a second.
            log.debug("Reading the experiment again failed", e);
        }
    }

    /**
     * Reads a new snapshot where one is due and builds again every document that was asked for from the previous
     * one, then publishes them together. A snapshot is due when there is none, or the experiment changed and the
     * last is at least {@link #MIN_REFRESH} old, or ({@code aging}) the experiment is live and the last is a second
     * old: its running trials' durations and bars grow without any change to the database.
     */
    private void refresh(boolean aging) {
        synchronized (refreshLock) {
            Published old = published;
            long cursor;
            Snapshot snapshot;
            synchronized (sourceLock) {
                cursor = source.cursor();
                Instant now = clock.instant();
                boolean due = old == null
                        || (cursor != old.cursor && !old.asOf.isAfter(now.minus(MIN_REFRESH)))
                        || (aging && old.views.snapshot().info().live() && !old.asOf.isAfter(now.minusSeconds(1)));
                if (!due) {
                    return;
                }
                snapshot = source.snapshot();
            }
            long started = System.nanoTime();
            Views views = old == null ? new Views(snapshot, source, sourceLock)
                    : new Views(snapshot, source, sourceLock, old.views);
            Published next = new Published(views, cursor, snapshot.asOf());
            Map<String, Long> took = new java.util.LinkedHashMap<>();
            took.put("views", (System.nanoTime() - started) / 1_000_000);
            for (Request r : old == null ? FIRST_BUILT : old.requests()) {
                long one = System.nanoTime();
                try {
                    next.keep(r, build(next, r));
                } catch (RuntimeException e) {
                    log.debug("Building {} failed", r.key(), e);
                }
                took.put(r.key(), (System.nanoTime() - one) / 1_000_000);
            }
            long sorting = System.nanoTime();
            if (old == null) {
                next.views.sortAhead();
            } else {
                next.views.keepSorted();
            }
            took.put("sorts", (System.nanoTime() - sorting) / 1_000_000);
            published = next;
            log.debug("Read {} trials and built {} documents in {} ms (ms each: {})", snapshot.trials().size(),
                    next.requests().size(), (System.nanoTime() - started) / 1_000_000, took);
        }
    }

    /** The views of one snapshot and the documents built from them, by request (the last {@code 64} asked for). */
    private static final class Published {
        final Views views;
        final long cursor;
        final Instant asOf;
        private final Map<String, Request> requests = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Request> eldest) {
                return size() > 64;
            }
        };
        private final Map<String, Response> responses = new HashMap<>();

        Published(Views views, long cursor, Instant asOf) {
            this.views = views;
            this.cursor = cursor;
            this.asOf = asOf;
        }

        synchronized Response cached(Request r) {
            return requests.get(r.key()) == null ? null : responses.get(r.key());
        }

        synchronized void keep(Request r, Response response) {
            requests.put(r.key(), r);
            responses.keySet().retainAll(requests.keySet());
            responses.put(r.key(), response);
        }

        synchronized List<Request> requests() {
            return new ArrayList<>(requests.values());
        }
    }

    private static String trialIdIn(String path, String suffix) {
        if (!path.startsWith("/api/trials/") || !path.endsWith(suffix)) {
            throw new BadRequest(404, "no such page: " + path);
        }
        String id = path.substring("/api/trials/".length(), path.length() - suffix.length());
        if (id.isEmpty() || id.contains("/")) {
            throw new BadRequest(404, "no such page: " + path);
        }
        return id;
    }

    private static Views.TrialQuery trialQuery(Map<String, String> q) {
        String sort = q.getOrDefault("sort", "sequence");
        if (!Views.isSortKey(sort)) {
            throw new BadRequest(400, "sort: unknown key '" + sort + "'; known: sequence, id, status, platform,"
                    + " attempt, value, duration, started, param.<name>");
        }
        String order = q.getOrDefault("order", "asc");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw new BadRequest(400, "order: must be asc or desc, was '" + order + "'");
        }
        Optional<String> status;
        try {
            status = Views.statusFilter(q.get("status"));
        } catch (IllegalArgumentException e) {
            throw new BadRequest(400, "status: unknown trial status '" + q.get("status") + "'");
        }
        Optional<String> platform = Optional.ofNullable(q.get("platform")).filter(p -> !p.isBlank());
        return new Views.TrialQuery(status, platform, sort, order.equals("desc"), intParam(q, "offset", 0),
                intParam(q, "limit", 50));
    }

    private static int intParam(Map<String, String> q, String name, int fallback) {
        String v = q.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest(400, name + ": must be a whole number >= 0, was '" + v + "'");
        }
    }

    private Response steer(String path, InputStream body) throws IOException {
        Steering steering;
        synchronized (sourceLock) {
            steering = source.steering().orElseThrow(() -> new BadRequest(409,
                    "this experiment cannot be steered from here"));
        }
        JsonNode json = JSON.createObjectNode();
        byte[] bytes = body.readNBytes(64 * 1024);
        if (bytes.length > 0) {
            try {
                json = JSON.readTree(bytes);
            } catch (IOException e) {
                throw new BadRequest(400, "the body must be a JSON object");
            }
        }
        List<ControlRequest> requests = new ArrayList<>();
        if (path.equals("/api/stop")) {
            requests.add(new ControlRequest.Stop());
        } else if (path.startsWith("/api/trials/") && path.endsWith("/cancel")) {
            requests.add(new ControlRequest.CancelTrial(new TrialId(trialIdIn(path, "/cancel"))));
        } else if (path.equals("/api/limits")) {
            requests.addAll(limits(json));
        } else {
            throw new BadRequest(404, "no such action: " + path);
        }
        List<String> applied = new ArrayList<>();
        for (ControlRequest r : requests) {
            try {
                steering.apply(r);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(400, r.kind() + ": " + e.getMessage());
            } catch (IllegalStateException e) {
                throw new BadRequest(409, r.kind() + ": " + e.getMessage());
            }
            applied.add(r.kind());
        }
        return Response.json(Map.of("ok", true, "applied", applied));
    }

    /** The limit changes of a {@code /api/limits} body, each value checked and refused with its field's name. */
    private static List<ControlRequest> limits(JsonNode json) {
        if (!json.isObject() || json.size() == 0) {
            throw new BadRequest(400, "give maxTrialNumber, maxExecDuration or trialConcurrency");
        }
        List<ControlRequest> out = new ArrayList<>();
        for (var it = json.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode n = f.getValue();
            switch (f.getKey()) {
                case "maxTrialNumber" -> out.add(new ControlRequest.SetMaxTrialNumber(positive(n, f.getKey())));
                case "trialConcurrency" -> out.add(new ControlRequest.SetTrialConcurrency(positive(n, f.getKey())));
                case "maxExecDuration" -> {
                    String text = n.asText();
                    Duration d = Durations.parse(text).filter(x -> !x.isZero()).orElseThrow(() -> new BadRequest(400,
                            "maxExecDuration: must be a duration such as 90m, 2h or 1d, was '" + text + "'"));
                    out.add(new ControlRequest.SetMaxExecDuration(d));
                }
                default -> throw new BadRequest(400, f.getKey() + ": unknown setting; known: maxTrialNumber,"
                        + " maxExecDuration, trialConcurrency");
            }
        }
        return out;
    }

    private static int positive(JsonNode n, String field) {
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1) {
            throw new BadRequest(400, field + ": must be a whole number >= 1, was " + n);
        }
        return n.asInt();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
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

    private static void send(HttpExchange ex, Response r) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", r.contentType());
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        if (r.contentType().startsWith("text/html")) {
            h.set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
                    + " img-src 'self' data:; frame-ancestors 'none'");
        }
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }

    /** Stops serving (waiting at most a second for requests under way) and closes the source. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        server.stop(1);
        refresher.shutdownNow();
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (sourceLock) {
            source.close();
        }
    }

    /** An HTTP answer. */
    record Response(int status, String contentType, byte[] body) {
        static Response json(Object value) {
            try {
                return new Response(200, "application/json; charset=utf-8", JSON.writeValueAsBytes(value));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Response error(int status, String message) {
            try {
                return new Response(status, "application/json; charset=utf-8",
                        JSON.writeValueAsBytes(Map.of("error", message)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A request the dashboard refuses, with its HTTP status and a message for the page. */
    static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
