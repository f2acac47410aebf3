package dev.hybrid.bench;

import dev.hybrid.dashboard.Dashboard;
import dev.hybrid.dashboard.DashboardOptions;
import dev.hybrid.space.Parameters;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Measures the web dashboard's JSON endpoints on a big stored experiment ({@code trials} trials with
 * {@code metricsPerTrial} metrics each, written straight through the store, three parameters), over HTTP on loopback
 * as the page asks for them. For each endpoint it prints three times: the very first request of a fresh dashboard
 * ({@code dashboard.<name>.first_ms}; the very first, {@code app.css}, also pays for the first use of this JVM's HTTP
 * client), the first request after the experiment changed ({@code dashboard.<name>.changed_ms}: a trial is added
 * through a writer of the store, as a running experiment adds them, and the request comes once {@code api/cursor}
 * says that the dashboard has read it and built its documents again) and the median of {@code REPEATS} requests
 * without a change ({@code dashboard.<name>_ms}: answered from the cache). {@code app.css}, a small static file, and
 * {@code api/cursor}, one tiny query, show what any request costs. {@code hybrid bench --dashboard} runs it at
 * 10,000 trials and 1,000,000 metrics. {@code dashboard.serve_ms} is the time {@code Dashboard.serve} takes: it reads
 * every trial and builds the page's first documents before it returns. {@code dashboard.change_seen_ms} (median) and
 * {@code dashboard.change_seen_max_ms} are how long after a trial is added the documents are built from it: the
 * dashboard looks for a change every 200 ms, reads a changing experiment at most once a second, then builds again
 * every document asked for so far, on a thread of its own.
 */
public final class DashboardSpeed {
    private static final int REPEATS = 9;
    private static final List<String> ENDPOINTS = List.of("app.css", "api/cursor", "api/overview", "api/trials?offset=5000&limit=50",
            "api/trials?sort=value&order=desc&limit=50", "api/trials?sort=param.x&status=SUCCEEDED&limit=50",
            "api/trials/t0004321", "api/charts/best", "api/charts/curves", "api/charts/parallel",
            "api/charts/timeline", "api/charts/importance");

    private DashboardSpeed() {
    }

    /** The figures, in a temporary folder under {@code workDir} (or the system's) that is deleted afterwards. */
    public static List<Figure> figures(int trials, int metricsPerTrial, Optional<Path> workDir) {
        Path tmp = null;
        try {
            tmp = workDir.isPresent() ? Files.createTempDirectory(Files.createDirectories(workDir.get()), "dash")
                    : Files.createTempDirectory("hybrid-dashboard-bench");
            Path experiment = tmp.resolve("big");
            long t0 = System.nanoTime();
            StoreSpeed.writeBigExperiment(experiment, trials, metricsPerTrial);
            List<Figure> out = new ArrayList<>();
            out.add(new Figure("dashboard.write_store_s", (System.nanoTime() - t0) / 1e9, "s"));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // The writer stays open, as a running experiment's does, while the dashboard reads the database.
            try (SqliteExperimentStore writer = SqliteExperimentStore.existingForWriting(experiment)) {
                writer.open();
                long serving = System.nanoTime();
                try (Dashboard dashboard = Dashboard.serve(experiment, DashboardOptions.defaults())) {
                    out.add(new Figure("dashboard.serve_ms", (System.nanoTime() - serving) / 1e6, "ms"));
                    measure(http, dashboard, writer, trials, out);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    private static void measure(HttpClient http, Dashboard dashboard, SqliteExperimentStore writer, int trials,
            List<Figure> out) throws IOException, InterruptedException {
        List<Figure> changed = new ArrayList<>();
        List<Figure> cached = new ArrayList<>();
        double[] seen = new double[ENDPOINTS.size()];
        for (String endpoint : ENDPOINTS) {
            String name = endpoint.replaceAll("\\?.*", "").replace("api/", "").replace('/', '.')
                    + (endpoint.contains("?") ? "[" + endpoint.substring(endpoint.indexOf('?') + 1) + "]" : "");
            URI uri = dashboard.url().resolve(endpoint);
            out.add(new Figure("dashboard." + name + ".first_ms", time(http, uri), "ms"));
            URI cursor = dashboard.url().resolve("api/cursor");
            long builtBefore = built(http, cursor);
            addTrial(writer, trials + changed.size());
            // The first request once the dashboard has read the change and built its documents again.
            long added = System.nanoTime();
            while (built(http, cursor) == builtBefore) {
                Thread.sleep(5);
            }
            seen[changed.size()] = (System.nanoTime() - added) / 1e6;
            changed.add(new Figure("dashboard." + name + ".changed_ms", time(http, uri), "ms"));
            double[] next = new double[REPEATS];
            for (int i = 0; i < REPEATS; i++) {
                next[i] = time(http, uri);
            }
            Arrays.sort(next);
            cached.add(new Figure("dashboard." + name + "_ms", next[REPEATS / 2], "ms"));
        }
        out.addAll(changed);
        out.addAll(cached);
        Arrays.sort(seen);
        out.add(new Figure("dashboard.change_seen_ms", seen[seen.length / 2], "ms"));
        out.add(new Figure("dashboard.change_seen_max_ms", seen[seen.length - 1], "ms"));
    }

    /** The cursor the dashboard's documents were built from, as {@code api/cursor} says. */
    private static long built(HttpClient http, URI cursor) throws IOException, InterruptedException {
        String body = http.send(HttpRequest.newBuilder(cursor).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"built\":(-?\\d+)").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no built cursor in " + cursor + ": " + body);
        }
        return Long.parseLong(m.group(1));
    }

    /** Adds one finished trial with a final result through a writer of the store, as a running experiment does. */
    private static void addTrial(SqliteExperimentStore store, int sequence) {
        TrialId id = new TrialId(String.format(Locale.ROOT, "t%07d", sequence));
        Instant at = Instant.parse("2026-01-01T01:00:00Z").plusSeconds(sequence);
        double x = (sequence % 97) / 97.0;
        store.trialSubmitted(new TrialSpec(id, sequence, sequence, new Parameters(Map.of("x", x, "lr", 0.5,
                "layers", 3))), "local", 1, at);
        store.trialStarted(id, at);
        store.metricReported(id, new Metric(MetricType.PERIODICAL, 0, Double.toString(x), at), Optional.empty());
        store.metricReported(id, Metric.of(MetricType.FINAL, 0, x, at), Optional.of(x));
        store.trialEnded(id, TrialStatus.SUCCEEDED, Optional.of(0), "", at);
        store.commit();
    }

    private static double time(HttpClient http, URI uri) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
        double ms = (System.nanoTime() - start) / 1e6;
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return ms;
    }

    private static void deleteQuietly(Path dir) {
        try {
            if (dir != null) {
                StoreSpeed.deleteTree(dir);
            }
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }

    /** Prints the figures: optional arguments {@code [trials] [metricsPerTrial]} (defaults 10000, 100). */
    public static void main(String[] args) {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int metrics = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        for (Figure f : figures(trials, metrics, Optional.empty())) {
            System.out.println(f.line());
        }
    }
}
