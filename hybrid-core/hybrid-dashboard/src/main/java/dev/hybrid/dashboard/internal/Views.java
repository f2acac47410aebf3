package dev.hybrid.dashboard.internal;

import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricFormatException;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The JSON documents the page reads, built from one {@link Snapshot}: plain maps and lists that Jackson writes. The
 * aggregates are computed once per snapshot and kept. Thread-safe: the views that keep what they computed are
 * synchronized, and every read of the source (which is not thread-safe) holds the lock the server gives.
 */
public final class Views {
    /** The most trials whose intermediate curves the curves chart shows. */
    public static final int MAX_CURVES = 100;
    /** The most points of one curve sent to the page; longer curves are thinned evenly (the last point kept). */
    public static final int MAX_POINTS = 200;
    /** The most trials the parallel-coordinates chart draws; more are thinned evenly (the best one kept). */
    public static final int MAX_PARALLEL = 2000;
    /** How long an importance computed over at least {@link #IMPORTANCE_REUSE_FROM} trials is served again. */
    public static final java.time.Duration IMPORTANCE_AGE = java.time.Duration.ofSeconds(10);
    /** The trials from which importance is computed at most every {@link #IMPORTANCE_AGE}: one more moves it little. */
    public static final int IMPORTANCE_REUSE_FROM = 2000;
    /** The most changed rows placed again into kept sorted orders; more, and they are sorted anew. */
    private static final int MAX_REPLACED = 500;
    /** The most rows one page of the trials table holds. */
    public static final int MAX_PAGE = 500;
    /** How much of the end of a trial's stdout and stderr the trial's details show. */
    public static final int LOG_TAIL_BYTES = 16 * 1024;

    private final Snapshot snapshot;
    private final ExperimentSource source;
    /** Held around every use of {@link #source}, which the server's other threads use too. */
    private final Object sourceLock;
    private final List<String> parameterNames;
    private final Map<String, StoredTrial> byId = new HashMap<>();
    private final Map<String, Object> memo = new HashMap<>();
    /** Every trial sorted by one key and direction (apart from {@link #memo}: a filtered list is built from one). */
    private final Map<String, List<StoredTrial>> sorted = new HashMap<>();
    /** The previous views' sorted trials, which this one's are made from by placing the changed rows again. */
    private final Map<String, List<StoredTrial>> previousSorted = new HashMap<>();
    /** The orders the previous views had sorted the trials in, by key ({@code "<sort> <descending>"}). */
    private final Set<String> sortedBefore = new LinkedHashSet<>();
    /** The rows that differ from the previous views' (new or changed); empty without previous views. */
    private final List<StoredTrial> changed = new ArrayList<>();
    /** The thinned curves of finished trials, by id: a finished trial's attempt and its metrics no longer change. */
    private final Map<String, Curve> curveCache = new HashMap<>();

    public Views(Snapshot snapshot, ExperimentSource source, Object sourceLock) {
        this.snapshot = snapshot;
        this.source = source;
        this.sourceLock = sourceLock;
        Set<String> names = new LinkedHashSet<>();
        for (StoredTrial t : snapshot.trials()) {
            names.addAll(t.trial().parameters().values().keySet());
            byId.put(t.trial().id().value(), t);
        }
        this.parameterNames = List.copyOf(names);
    }

    /**
     * The views of a newer snapshot of the same experiment, which take over what {@code previous} computed and still
     * holds: the trials sorted by each key it was sorted by (only the rows that changed are placed again), the
     * curves of finished trials, and an importance less than {@link #IMPORTANCE_AGE} old. A row changed where it
     * differs from the previous views' row of that trial (a source that reads only what changed gives the same object
     * for the others, which is checked first).
     */
    public Views(Snapshot snapshot, ExperimentSource source, Object sourceLock, Views previous) {
        this(snapshot, source, sourceLock);
        Map<String, StoredTrial> before = previous.byId;
        for (StoredTrial t : snapshot.trials()) {
            StoredTrial was = before.get(t.trial().id().value());
            // The source reads unfinished trials (and finished ones without a final value) again after every
            // change: only those that differ count as changed.
            if (was != t && !t.equals(was)) {
                changed.add(t);
            }
        }
        boolean sameRows = before.size() + countNew(before) == snapshot.trials().size();
        synchronized (previous) {
            if (sameRows && changed.size() <= MAX_REPLACED) {
                previousSorted.putAll(previous.sorted);
            }
            sortedBefore.addAll(previous.sorted.keySet());
            curveCache.putAll(previous.curveCache);
            if (previous.memo.get("importance") instanceof Map<?, ?> importance && importance.get("asOf")
                    instanceof Long at && snapshot.asOf().toEpochMilli() - at < IMPORTANCE_AGE.toMillis()
                    && snapshot.trials().size() >= IMPORTANCE_REUSE_FROM) {
                memo.put("importance", importance);
            }
        }
    }

    /** The trials of {@link #changed} that {@code before} did not have. */
    private int countNew(Map<String, StoredTrial> before) {
        int n = 0;
        for (StoredTrial t : changed) {
            n += before.containsKey(t.trial().id().value()) ? 0 : 1;
        }
        return n;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** Whether the snapshot has a trial with this id. */
    public boolean hasTrial(String id) {
        return byId.containsKey(id);
    }

    // ---------------------------------------------------------------- overview

    public Map<String, Object> overview(long cursor) {
        ExperimentInfo info = snapshot.info();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("cursor", cursor);
        o.put("id", info.id());
        o.put("name", info.name().orElse(null));
        o.put("status", info.status().name());
        o.put("live", info.live());
        o.put("started", millis(info.started()));
        o.put("ended", millis(info.ended()));
        o.put("elapsedMs", info.elapsed().toMillis());
        o.put("maxExecDurationMs", info.maxExecDuration().map(d -> d.toMillis()).orElse(null));
        o.put("maxTrialNumber", info.maxTrialNumber().orElse(null));
        o.put("trialConcurrency", info.trialConcurrency().orElse(null));
        o.put("optimizeMode", info.optimizeMode().name());
        o.put("tuner", info.tuner());
        o.put("failure", info.failure().orElse(null));
        o.put("asOf", snapshot.asOf().toEpochMilli());
        Map<String, Integer> counts = new TreeMap<>();
        int done = 0;
        for (StoredTrial t : snapshot.trials()) {
            counts.merge(t.trial().status().name(), 1, Integer::sum);
            done += t.trial().isFinished() ? 1 : 0;
        }
        o.put("trialCount", snapshot.trials().size());
        o.put("trialsDone", done);
        o.put("counts", counts);
        o.put("best", bestTrial().map(this::row).orElse(null));
        o.put("platforms", platforms());
        o.put("parameterNames", parameterNames);
        o.put("steerable", info.live() && source.steering().isPresent());
        return o;
    }

    private List<Map<String, Object>> platforms() {
        Map<String, int[]> by = new TreeMap<>();
        for (StoredTrial t : snapshot.trials()) {
            int[] c = by.computeIfAbsent(t.trial().platform(), k -> new int[5]);
            c[platformColumn(t.trial().status())]++;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        by.forEach((name, c) -> {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("platform", name);
            p.put("waiting", c[0]);
            p.put("running", c[1]);
            p.put("done", c[2]);
            p.put("failed", c[3]);
            p.put("canceled", c[4]);
            out.add(p);
        });
        return out;
    }

    private static int platformColumn(TrialStatus s) {
        return switch (s) {
            case WAITING, UNKNOWN -> 0;
            case RUNNING -> 1;
            case SUCCEEDED, EARLY_STOPPED -> 2;
            case FAILED, SYS_CANCELED -> 3;
            case USER_CANCELED -> 4;
        };
    }

    /** The trial with the best final value, earliest of equals. */
    public Optional<StoredTrial> bestTrial() {
        OptimizeMode mode = snapshot.info().optimizeMode();
        StoredTrial best = null;
        for (StoredTrial t : snapshot.trials()) {
            Optional<Double> v = t.trial().finalValue();
            if (v.isPresent() && (best == null || better(mode, v.get(), best.trial().finalValue().get()))) {
                best = t;
            }
        }
        return Optional.ofNullable(best);
    }

    private static boolean better(OptimizeMode mode, double a, double b) {
        return mode == OptimizeMode.MAXIMIZE ? a > b : a < b;
    }

    // ---------------------------------------------------------------- trials table

    /** A query of the trials table: filters (empty = all), a sort key and a page. */
    public record TrialQuery(Optional<String> status, Optional<String> platform, String sort, boolean descending,
            int offset, int limit) {
    }

    public synchronized Map<String, Object> trials(TrialQuery q) {
        @SuppressWarnings("unchecked")
        List<StoredTrial> rows = (List<StoredTrial>) memo.computeIfAbsent("trials " + q.status() + " " + q.platform()
                + " " + q.sort() + " " + q.descending(), k -> filteredAndSorted(q));
        int from = Math.min(Math.max(q.offset(), 0), rows.size());
        int to = Math.min(rows.size(), from + Math.max(0, Math.min(q.limit(), MAX_PAGE)));
        List<Map<String, Object>> page = new ArrayList<>(to - from);
        for (StoredTrial t : rows.subList(from, to)) {
            page.add(row(t));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("total", rows.size());
        o.put("offset", from);
        o.put("rows", page);
        o.put("parameterNames", parameterNames);
        return o;
    }

    /**
     * The trials a query selects, in its order; kept per filter and order, so paging through them sorts once. The
     * filter keeps the order of all trials sorted by the key, which is kept too: another filter sorts nothing.
     */
    private List<StoredTrial> filteredAndSorted(TrialQuery q) {
        List<StoredTrial> sorted = sortedAll(q.sort(), q.descending());
        if (q.status().isEmpty() && q.platform().isEmpty()) {
            return sorted;
        }
        List<StoredTrial> rows = new ArrayList<>();
        for (StoredTrial t : sorted) {
            if (q.status().isPresent() && !matchesStatus(t.trial().status(), q.status().get())) {
                continue;
            }
            if (q.platform().isPresent() && !q.platform().get().equals(t.trial().platform())) {
                continue;
            }
            rows.add(t);
        }
        return rows;
    }

    /** Every trial in the order of one sort key, kept. */
    private List<StoredTrial> sortedAll(String sort, boolean descending) {
        return sorted.computeIfAbsent(sort + " " + descending, k -> {
            if (sort.equals("sequence") && !descending) {
                return snapshot.trials();
            }
            List<StoredTrial> kept = previousSorted.get(k);
            // A running trial's duration grows with the snapshot's time: that order is sorted anew.
            if (kept != null && !sort.equals("duration")) {
                Comparator<StoredTrial> order = fullOrder(sort, descending);
                List<StoredTrial> rows = new ArrayList<>(snapshot.trials().size());
                for (StoredTrial t : kept) {
                    StoredTrial now = byId.get(t.trial().id().value());
                    if (now == t || (now != null && now.equals(t))) {
                        rows.add(now);
                    }
                }
                for (StoredTrial t : changed) {
                    int at = java.util.Collections.binarySearch(rows, t, order);
                    rows.add(at < 0 ? -at - 1 : at, t);
                }
                return rows;
            }
            List<StoredTrial> rows = new ArrayList<>(snapshot.trials());
            if (sort.startsWith("param.")) {
                return sortedByParameter(rows, sort.substring("param.".length()), descending);
            }
            rows.sort(nullsLast(comparator(sort), descending, sort));
            return rows;
        });
    }

    /**
     * Sorts the trials again by every key the previous views had them sorted by (placing only the changed rows where
     * it can), so that those orders stay ready for the next request and the next views.
     */
    public synchronized void keepSorted() {
        for (String key : sortedBefore) {
            int space = key.lastIndexOf(' ');
            sortedAll(key.substring(0, space), Boolean.parseBoolean(key.substring(space + 1)));
        }
        // Every kept order has been carried over: the previous views' lists need not stay in memory.
        previousSorted.clear();
    }

    /**
     * Sorts the trials by the keys the table is most often sorted by and that cost most (the value and each
     * parameter, both ways), so that the first such request finds them sorted.
     */
    public synchronized void sortAhead() {
        for (boolean descending : new boolean[] {false, true}) {
            sortedAll("value", descending);
            for (String name : parameterNames) {
                sortedAll("param." + name, descending);
            }
        }
    }

    /** A trial and its value of the parameter the table is sorted by, looked up once rather than in each comparison. */
    private record Keyed(StoredTrial trial, Object value, boolean missing) {
    }

    /** Trials without the parameter go last in either direction; equal values keep sequence order. */
    private static List<StoredTrial> sortedByParameter(List<StoredTrial> rows, String name, boolean descending) {
        List<Keyed> keyed = new ArrayList<>(rows.size());
        for (StoredTrial t : rows) {
            Map<String, Object> values = t.trial().parameters().values();
            keyed.add(new Keyed(t, values.get(name), !values.containsKey(name)));
        }
        Comparator<Keyed> byValue = (a, b) -> compareValues(a.value(), b.value());
        Comparator<Keyed> directed = descending ? byValue.reversed() : byValue;
        Comparator<Keyed> withMissing = (a, b) -> a.missing() || b.missing()
                ? Boolean.compare(a.missing(), b.missing()) : directed.compare(a, b);
        keyed.sort(withMissing.thenComparingInt(k -> k.trial().trial().sequence()));
        List<StoredTrial> out = new ArrayList<>(keyed.size());
        for (Keyed k : keyed) {
            out.add(k.trial());
        }
        return out;
    }

    /** The table's order for a sort key, as {@link #sortedAll} sorts: a total order (ties go by sequence). */
    private Comparator<StoredTrial> fullOrder(String sort, boolean descending) {
        if (!sort.startsWith("param.")) {
            return nullsLast(comparator(sort), descending, sort);
        }
        String name = sort.substring("param.".length());
        Comparator<StoredTrial> byValue = (a, b) -> compareValues(a.trial().parameters().values().get(name),
                b.trial().parameters().values().get(name));
        Comparator<StoredTrial> directed = descending ? byValue.reversed() : byValue;
        Comparator<StoredTrial> withMissing = (a, b) -> {
            boolean ma = !a.trial().parameters().values().containsKey(name);
            boolean mb = !b.trial().parameters().values().containsKey(name);
            return ma || mb ? Boolean.compare(ma, mb) : directed.compare(a, b);
        };
        return withMissing.thenComparingInt(t -> t.trial().sequence());
    }

    /** "done" is every finished status; otherwise the status's name. */
    private static boolean matchesStatus(TrialStatus s, String filter) {
        return filter.equalsIgnoreCase("done") ? s.isFinished() : s.name().equalsIgnoreCase(filter);
    }

    /** The sort keys the table offers. */
    public static boolean isSortKey(String key) {
        return List.of("sequence", "id", "status", "platform", "attempt", "value", "duration", "started")
                .contains(key) || key.startsWith("param.");
    }

    private Comparator<StoredTrial> comparator(String key) {
        return switch (key) {
            case "id" -> Comparator.comparing(t -> t.trial().id().value());
            case "status" -> Comparator.comparing(t -> t.trial().status().name());
            case "platform" -> Comparator.comparing(t -> t.trial().platform());
            case "attempt" -> Comparator.comparingInt(StoredTrial::attempt);
            case "value" -> Comparator.comparingDouble(t -> t.trial().finalValue().get());
            case "duration" -> Comparator.comparingLong(t -> duration(t.trial(), snapshot.asOf()).get());
            case "started" -> Comparator.comparing(t -> t.trial().started().get());
            case "sequence" -> Comparator.comparingInt(t -> t.trial().sequence());
            default -> throw new IllegalArgumentException("not a sort key: " + key);
        };
    }

    private static int compareValues(Object x, Object y) {
        if (x instanceof Number nx && y instanceof Number ny) {
            return Double.compare(nx.doubleValue(), ny.doubleValue());
        }
        return String.valueOf(x).compareTo(String.valueOf(y));
    }

    /** Rows without the sort key (no value, not started, no such parameter) go last in either direction. */
    private Comparator<StoredTrial> nullsLast(Comparator<StoredTrial> order, boolean descending, String key) {
        Comparator<StoredTrial> directed = descending ? order.reversed() : order;
        Comparator<StoredTrial> withMissing = (a, b) -> {
            boolean ma = missing(a, key);
            boolean mb = missing(b, key);
            if (ma || mb) {
                return ma == mb ? 0 : ma ? 1 : -1;
            }
            return directed.compare(a, b);
        };
        return withMissing.thenComparingInt(t -> t.trial().sequence());
    }

    private boolean missing(StoredTrial t, String key) {
        return switch (key) {
            case "value" -> t.trial().finalValue().isEmpty();
            case "duration", "started" -> t.trial().started().isEmpty();
            default -> false;
        };
    }

    private Map<String, Object> row(StoredTrial st) {
        Trial t = st.trial();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", t.id().value());
        r.put("sequence", t.sequence());
        r.put("status", t.status().name());
        r.put("platform", t.platform());
        r.put("machine", t.machine().orElse(null));
        r.put("attempt", st.attempt());
        r.put("parameters", t.parameters().values());
        r.put("value", t.finalValue().orElse(null));
        r.put("submitted", t.submitted().toEpochMilli());
        r.put("started", millis(t.started()));
        r.put("ended", millis(t.ended()));
        r.put("durationMs", duration(t, snapshot.asOf()).orElse(null));
        r.put("exitCode", t.exitCode().orElse(null));
        r.put("message", t.message());
        return r;
    }

    private static Optional<Long> duration(Trial t, Instant now) {
        return t.started().map(s -> Math.max(0, t.ended().orElse(now).toEpochMilli() - s.toEpochMilli()));
    }

    // ---------------------------------------------------------------- one trial

    /** Every trial's row, in sequence order. */
    public List<Map<String, Object>> allRows() {
        List<Map<String, Object>> out = new ArrayList<>(snapshot.trials().size());
        for (StoredTrial t : snapshot.trials()) {
            out.add(row(t));
        }
        return out;
    }

    /** One trial's row with its intermediate results, final metric and (with {@code withLogs}) its log tails. */
    public Map<String, Object> trial(String id, boolean withLogs) {
        StoredTrial st = byId.get(id);
        Map<String, Object> o = new LinkedHashMap<>(row(st));
        List<Metric> inter;
        Optional<Path> dir;
        synchronized (sourceLock) {
            inter = source.intermediate(List.of(st.trial().id())).getOrDefault(st.trial().id(), List.of());
            dir = source.trialDirectory(st.trial().id());
        }
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < inter.size(); i++) {
            Metric m = inter.get(i);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("index", i + 1);
            p.put("sequence", m.sequence());
            p.put("value", m.decoded());
            p.put("at", m.at().toEpochMilli());
            points.add(p);
        }
        o.put("intermediate", points);
        o.put("final", st.trial().finalMetric().map(Metric::decoded).orElse(null));
        Map<String, Object> logs = new LinkedHashMap<>();
        dir.filter(d -> withLogs).ifPresent(d -> {
            for (String name : List.of("stdout", "stderr")) {
                tail(d.resolve(name)).ifPresent(text -> logs.put(name, text));
            }
        });
        o.put("logs", logs);
        return o;
    }

    private static Optional<String> tail(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long length = f.length();
            long from = Math.max(0, length - LOG_TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - from)];
            f.seek(from);
            f.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (from > 0) {
                int nl = text.indexOf('\n');
                text = "[... " + (from + Math.max(nl, 0)) + " bytes before ...]\n" + text.substring(nl + 1);
            }
            return Optional.of(text);
        } catch (IOException e) {
            return Optional.of("[cannot read " + file.getFileName() + ": " + e.getMessage() + "]");
        }
    }

    // ---------------------------------------------------------------- charts

    /** Best-so-far against trial number (by sequence) and against time since the experiment started. */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> best() {
        return (Map<String, Object>) memo.computeIfAbsent("best", k -> computeBest());
    }

    private Map<String, Object> computeBest() {
        OptimizeMode mode = snapshot.info().optimizeMode();
        List<Object> byTrial = new ArrayList<>();
        Double best = null;
        for (StoredTrial t : snapshot.trials()) {
            Optional<Double> v = t.trial().finalValue();
            if (v.isPresent()) {
                best = best == null || better(mode, v.get(), best) ? v.get() : best;
                byTrial.add(List.of(t.trial().sequence(), v.get(), best));
            }
        }
        List<StoredTrial> ended = new ArrayList<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().finalValue().isPresent()) {
                ended.add(t);
            }
        }
        ended.sort(Comparator.comparing(t -> t.trial().ended().orElse(t.trial().finalMetric().get().at())));
        long t0 = t0();
        List<Object> byTime = new ArrayList<>();
        best = null;
        for (StoredTrial t : ended) {
            double v = t.trial().finalValue().get();
            best = best == null || better(mode, v, best) ? v : best;
            Instant at = t.trial().ended().orElse(t.trial().finalMetric().get().at());
            byTime.add(List.of((at.toEpochMilli() - t0) / 1000.0, best, t.trial().sequence()));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("optimizeMode", mode.name());
        o.put("byTrial", byTrial);
        o.put("byTime", byTime);
        return o;
    }

    private long t0() {
        return snapshot.info().started().map(Instant::toEpochMilli).orElseGet(() -> snapshot.trials().stream()
                .mapToLong(t -> t.trial().submitted().toEpochMilli()).min().orElse(0));
    }

    /**
     * The intermediate curves of at most {@link #MAX_CURVES} trials: every running one, then the best finished ones,
     * then the latest; early-stopped trials are marked.
     */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> curves() {
        return (Map<String, Object>) memo.computeIfAbsent("curves", k -> computeCurves());
    }

    /** A trial's thinned curve as of one attempt and status. */
    private record Curve(int attempt, TrialStatus status, List<Object> points) {
    }

    private Map<String, Object> computeCurves() {
        LinkedHashSet<StoredTrial> chosen = new LinkedHashSet<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().status() == TrialStatus.RUNNING && chosen.size() < MAX_CURVES / 2) {
                chosen.add(t);
            }
        }
        OptimizeMode mode = snapshot.info().optimizeMode();
        // The best ones: a bounded heap (worst on top) rather than a sort of every valued trial.
        int wanted = MAX_CURVES * 3 / 4 - chosen.size();
        Comparator<StoredTrial> byLoss = Comparator.comparingDouble((StoredTrial t) -> mode.toLoss(
                t.trial().finalValue().get())).thenComparingInt(t -> t.trial().sequence());
        java.util.PriorityQueue<StoredTrial> best = new java.util.PriorityQueue<>(Math.max(1, wanted + 1),
                byLoss.reversed());
        for (StoredTrial t : snapshot.trials()) {
            if (wanted > 0 && t.trial().finalValue().isPresent() && !chosen.contains(t)) {
                best.add(t);
                if (best.size() > wanted) {
                    best.poll();
                }
            }
        }
        List<StoredTrial> bestFirst = new ArrayList<>(best);
        bestFirst.sort(byLoss);
        chosen.addAll(bestFirst);
        List<StoredTrial> all = snapshot.trials();
        for (int i = all.size() - 1; i >= 0 && chosen.size() < MAX_CURVES; i--) {
            chosen.add(all.get(i));
        }
        // Only the curves not kept from earlier views are read: those of running trials and of newly chosen ones.
        Map<String, Curve> curves = new HashMap<>();
        List<TrialId> toRead = new ArrayList<>();
        for (StoredTrial t : chosen) {
            Curve kept = curveCache.get(t.trial().id().value());
            if (kept != null && kept.attempt() == t.attempt() && kept.status() == t.trial().status()
                    && t.trial().isFinished()) {
                curves.put(t.trial().id().value(), kept);
            } else {
                toRead.add(t.trial().id());
            }
        }
        Map<TrialId, List<Metric>> metrics;
        synchronized (sourceLock) {
            metrics = toRead.isEmpty() ? Map.of() : source.intermediate(toRead);
        }
        for (TrialId id : toRead) {
            StoredTrial t = byId.get(id.value());
            curves.put(id.value(), new Curve(t.attempt(), t.trial().status(), thin(metrics.getOrDefault(id,
                    List.of()))));
        }
        curveCache.clear();
        for (StoredTrial t : chosen) {
            if (t.trial().isFinished()) {
                curveCache.put(t.trial().id().value(), curves.get(t.trial().id().value()));
            }
        }
        List<Object> series = new ArrayList<>();
        List<StoredTrial> ordered = new ArrayList<>(chosen);
        ordered.sort(Comparator.comparingInt(t -> t.trial().sequence()));
        for (StoredTrial t : ordered) {
            List<Object> points = curves.get(t.trial().id().value()).points();
            if (points.isEmpty()) {
                continue;
            }
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", t.trial().id().value());
            s.put("sequence", t.trial().sequence());
            s.put("status", t.trial().status().name());
            s.put("earlyStopped", t.trial().status() == TrialStatus.EARLY_STOPPED);
            s.put("points", points);
            series.add(s);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("series", series);
        o.put("maxCurves", MAX_CURVES);
        return o;
    }

    private static List<Object> thin(List<Metric> ms) {
        int step = Math.max(1, (ms.size() + MAX_POINTS - 1) / MAX_POINTS);
        List<Object> points = new ArrayList<>();
        for (int i = 0; i < ms.size(); i++) {
            if (i % step == 0 || i == ms.size() - 1) {
                int index = i + 1;
                scalar(ms.get(i)).ifPresent(v -> points.add(List.of(index, v)));
            }
        }
        return points;
    }

    private static Optional<Double> scalar(Metric m) {
        try {
            double v = m.scalar();
            return Double.isFinite(v) ? Optional.of(v) : Optional.empty();
        } catch (MetricFormatException e) {
            return Optional.empty();
        }
    }

    /** Parallel coordinates: one axis per parameter and one for the metric, over trials with a final value. */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> parallel() {
        return (Map<String, Object>) memo.computeIfAbsent("parallel", k -> computeParallel());
    }

    private Map<String, Object> computeParallel() {
        List<StoredTrial> valued = new ArrayList<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().finalValue().isPresent()) {
                valued.add(t);
            }
        }
        List<StoredTrial> shown = valued;
        if (valued.size() > MAX_PARALLEL) {
            shown = new ArrayList<>();
            for (int i = 0; i < MAX_PARALLEL; i++) {
                shown.add(valued.get((int) ((long) i * valued.size() / MAX_PARALLEL)));
            }
            bestTrial().ifPresent(shown::add);
        }
        List<Object> dims = new ArrayList<>();
        for (String name : parameterNames) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            boolean numeric = valued.stream().allMatch(t -> t.trial().parameters().values().get(name) instanceof Number
                    || !t.trial().parameters().values().containsKey(name));
            d.put("type", numeric ? "value" : "category");
            if (!numeric) {
                Set<String> cats = new LinkedHashSet<>();
                valued.forEach(t -> cats.add(String.valueOf(t.trial().parameters().values().get(name))));
                d.put("categories", new ArrayList<>(cats));
            }
            dims.add(d);
        }
        List<Object> rows = new ArrayList<>();
        for (StoredTrial t : shown) {
            List<Object> r = new ArrayList<>();
            for (int i = 0; i < parameterNames.size(); i++) {
                Object v = t.trial().parameters().values().get(parameterNames.get(i));
                boolean numeric = "value".equals(((Map<?, ?>) dims.get(i)).get("type"));
                r.add(numeric ? v : String.valueOf(v));
            }
            r.add(t.trial().finalValue().get());
            r.add(t.trial().id().value());
            rows.add(r);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("dimensions", dims);
        o.put("rows", rows);
        o.put("total", valued.size());
        return o;
    }

    /** Each started trial as a bar on the lane of its platform (and machine, where known). */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> timeline() {
        return (Map<String, Object>) memo.computeIfAbsent("timeline", k -> computeTimeline());
    }

    private Map<String, Object> computeTimeline() {
        long t0 = t0();
        long now = snapshot.asOf().toEpochMilli();
        Map<String, Integer> lanes = new TreeMap<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().started().isPresent()) {
                lanes.put(lane(t.trial()), 0);
            }
        }
        List<String> names = new ArrayList<>(lanes.keySet());
        for (int i = 0; i < names.size(); i++) {
            lanes.put(names.get(i), i);
        }
        List<Trial> started = new ArrayList<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().started().isPresent()) {
                started.add(t.trial());
            }
        }
        // Trials of one lane that overlap in time get rows of their own within it (the lowest row free at their
        // start), so each trial stays a bar of its own however many run at once.
        List<Trial> byStart = new ArrayList<>(started);
        byStart.sort(java.util.Comparator.comparing((Trial tr) -> tr.started().orElseThrow()));
        Map<Trial, Integer> row = new java.util.IdentityHashMap<>();
        Map<String, List<Long>> rowEnds = new java.util.HashMap<>();
        for (Trial tr : byStart) {
            List<Long> ends = rowEnds.computeIfAbsent(lane(tr), k -> new ArrayList<>());
            long s = tr.started().get().toEpochMilli();
            long e = Math.max(s, tr.ended().map(Instant::toEpochMilli).orElse(now));
            int r = 0;
            while (r < ends.size() && ends.get(r) > s) {
                r++;
            }
            if (r == ends.size()) {
                ends.add(e);
            } else {
                ends.set(r, e);
            }
            row.put(tr, r);
        }
        List<Object> bars = new ArrayList<>();
        for (Trial tr : started) {
            long s = tr.started().get().toEpochMilli() - t0;
            long e = tr.ended().map(Instant::toEpochMilli).orElse(now) - t0;
            bars.add(List.of(lanes.get(lane(tr)), s / 1000.0, Math.max(s, e) / 1000.0, tr.sequence(),
                    tr.status().name(), tr.id().value(), row.get(tr), rowEnds.get(lane(tr)).size()));
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("lanes", names);
        o.put("bars", bars);
        return o;
    }

    private static String lane(Trial t) {
        return t.machine().map(m -> t.platform() + " " + m).orElse(t.platform());
    }

    /**
     * Parameter importance over the trials with a final value; see {@link Importance}. Over
     * {@link #IMPORTANCE_REUSE_FROM} trials or more it is the one of earlier views while that is less than
     * {@link #IMPORTANCE_AGE} old: {@code asOf} says when it was computed.
     */
    @SuppressWarnings("unchecked")
    public synchronized Map<String, Object> importance() {
        return (Map<String, Object>) memo.computeIfAbsent("importance", k -> computeImportance());
    }

    private Map<String, Object> computeImportance() {
        List<Map<String, Object>> values = new ArrayList<>();
        List<Double> metric = new ArrayList<>();
        for (StoredTrial t : snapshot.trials()) {
            if (t.trial().finalValue().isPresent()) {
                values.add(t.trial().parameters().values());
                metric.add(t.trial().finalValue().get());
            }
        }
        List<Object> scores = new ArrayList<>();
        for (Importance.Score s : Importance.of(parameterNames, values,
                metric.stream().mapToDouble(Double::doubleValue).toArray())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("eta2", s.eta2());
            m.put("share", s.share());
            scores.add(m);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("method", "first-order variance share (eta squared over binned marginals, fANOVA's main effects)");
        o.put("trials", metric.size());
        o.put("asOf", snapshot.asOf().toEpochMilli());
        o.put("parameters", scores);
        return o;
    }

    private static Long millis(Optional<Instant> at) {
        return at.map(Instant::toEpochMilli).orElse(null);
    }

    /** A status filter, checked: {@code done} or a trial status's name. */
    public static Optional<String> statusFilter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        if (!value.equalsIgnoreCase("done")) {
            TrialStatus.valueOf(value.toUpperCase(Locale.ROOT));
        }
        return Optional.of(value);
    }
}
