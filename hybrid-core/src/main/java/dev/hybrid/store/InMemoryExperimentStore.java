package dev.hybrid.store;

import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An experiment store that keeps everything in memory and forgets it when the process ends: for tests, and the
 * default of builder experiments that have no working directory. Its {@link #commit()} does nothing. Not
 * thread-safe, as the interface allows, except for the control requests, which any thread of this JVM may make. The
 * experiment counts as running while it is stored with a status that is not finished.
 */
public final class InMemoryExperimentStore implements ExperimentStore {
    /** Volatile: control requests read it from other threads. */
    private volatile StoredExperiment experiment;
    private final Map<TrialId, Row> trials = new LinkedHashMap<>();
    private final List<ImportedResult> imported = new ArrayList<>();
    private final List<ExperimentChange> changes = new ArrayList<>();
    /** Guards {@link #controls}: control requests come from any thread. */
    private final Object controlLock = new Object();
    private final List<ControlResult> controls = new ArrayList<>();

    private static final class Row {
        TrialSpec spec;
        String platform;
        String machine;
        int attempt;
        TrialStatus status = TrialStatus.WAITING;
        Instant submitted;
        Instant started;
        Instant ended;
        Integer exitCode;
        String message = "";
        final List<Metric> intermediate = new ArrayList<>();
        Metric finalMetric;
        Double finalValue;
    }

    /** An empty store. */
    public InMemoryExperimentStore() {
    }

    @Override
    public void open() {
    }

    @Override
    public Optional<StoredExperiment> experiment() {
        return Optional.ofNullable(experiment);
    }

    @Override
    public StoredExperiment saveExperiment(StoredExperiment e) {
        long revision = experiment == null ? 1 : experiment.revision() + 1;
        experiment = new StoredExperiment(e.id(), e.name(), e.configJson(), e.optimizeMode(), e.status(),
                e.started(), e.ended(), e.elapsed(), revision);
        return experiment;
    }

    @Override
    public void trialSubmitted(TrialSpec spec, String platform, int attempt, Instant at) {
        Row r = trials.computeIfAbsent(spec.id(), k -> new Row());
        r.spec = spec;
        r.platform = platform;
        r.machine = null;
        r.attempt = attempt;
        r.status = TrialStatus.WAITING;
        r.submitted = at;
        r.started = null;
        r.ended = null;
        r.exitCode = null;
        r.message = "";
        r.intermediate.clear();
        r.finalMetric = null;
        r.finalValue = null;
    }

    @Override
    public void trialStarted(TrialId trial, Instant at) {
        Row r = trials.get(trial);
        if (r != null) {
            r.status = TrialStatus.RUNNING;
            r.started = at;
        }
    }

    @Override
    public void trialPlaced(TrialId trial, String platform) {
        Row r = trials.get(trial);
        if (r != null) {
            r.platform = platform;
        }
    }

    @Override
    public void trialOnMachine(TrialId trial, String machine, Instant at) {
        Row r = trials.get(trial);
        if (r != null) {
            r.machine = machine;
        }
    }

    @Override
    public void trialEnded(TrialId trial, TrialStatus status, Optional<Integer> exitCode, String message,
            Instant at) {
        Row r = trials.get(trial);
        if (r != null) {
            r.status = status;
            r.exitCode = exitCode.orElse(null);
            r.message = message;
            r.ended = at;
        }
    }

    @Override
    public void metricReported(TrialId trial, Metric metric, Optional<Double> scalar) {
        Row r = trials.get(trial);
        if (r == null) {
            return;
        }
        if (metric.type() == MetricType.FINAL) {
            if (r.finalMetric == null) {
                r.finalMetric = metric;
                r.finalValue = scalar.filter(Double::isFinite).orElse(null);
            }
        } else {
            r.intermediate.add(metric);
        }
    }

    @Override
    public void addImported(List<ImportedResult> results) {
        imported.addAll(results);
    }

    @Override
    public List<ImportedResult> imported() {
        return List.copyOf(imported);
    }

    @Override
    public void commit() {
    }

    @Override
    public List<StoredTrial> trials() {
        return trials(Optional.empty(), true);
    }

    @Override
    public List<StoredTrial> trials(Optional<TrialStatus> status, boolean withIntermediate) {
        List<StoredTrial> out = new ArrayList<>();
        for (Row r : sorted()) {
            if (status.isEmpty() || status.get() == r.status) {
                out.add(toStored(r, withIntermediate));
            }
        }
        return out;
    }

    @Override
    public List<StoredTrial> topTrials(int n, OptimizeMode mode) {
        return sorted().stream()
                .filter(r -> r.finalValue != null && Double.isFinite(r.finalValue))
                .sorted(Comparator.comparingDouble((Row r) -> mode.toLoss(r.finalValue)))
                .limit(n)
                .map(r -> toStored(r, false))
                .toList();
    }

    @Override
    public Map<TrialStatus, Integer> trialCounts() {
        Map<TrialStatus, Integer> counts = new EnumMap<>(TrialStatus.class);
        for (Row r : trials.values()) {
            counts.merge(r.status, 1, Integer::sum);
        }
        return counts;
    }

    @Override
    public void changeRecorded(ExperimentChange change) {
        changes.add(java.util.Objects.requireNonNull(change, "change"));
    }

    @Override
    public List<ExperimentChange> changes() {
        return List.copyOf(changes);
    }

    @Override
    public boolean isRunning() {
        StoredExperiment e = experiment;
        return e != null && !e.status().isFinished();
    }

    /** This process, while the experiment runs: an in-memory store lives in the process that runs it. */
    @Override
    public Optional<ExperimentOwner> runningOwner() {
        return isRunning() ? Optional.of(ExperimentOwner.current()) : Optional.empty();
    }

    @Override
    public long requestControl(String experimentId, ControlRequest request, String source) {
        StoredExperiment e = experiment;
        ControlRequests.check(experimentId, request, source, e == null ? Optional.empty() : Optional.of(e.id()));
        if (!isRunning()) {
            throw new IllegalStateException("experiment " + experimentId + " is not running");
        }
        synchronized (controlLock) {
            long id = controls.size() + 1;
            controls.add(new ControlResult(id, request, source, Instant.now(), ControlResult.State.PENDING,
                    Optional.empty(), Optional.empty()));
            return id;
        }
    }

    @Override
    public Optional<ControlResult> controlResult(long requestId) {
        synchronized (controlLock) {
            return requestId < 1 || requestId > controls.size() ? Optional.empty()
                    : Optional.of(controls.get((int) requestId - 1));
        }
    }

    @Override
    public List<ControlResult> pendingControls() {
        synchronized (controlLock) {
            return controls.stream().filter(c -> !c.isHandled()).toList();
        }
    }

    @Override
    public void controlHandled(long requestId, Optional<String> refusal, Instant at) {
        synchronized (controlLock) {
            if (requestId < 1 || requestId > controls.size()) {
                return;
            }
            ControlResult c = controls.get((int) requestId - 1);
            if (!c.isHandled()) {
                controls.set((int) requestId - 1, new ControlResult(c.id(), c.request(), c.source(), c.requested(),
                        refusal.isPresent() ? ControlResult.State.REFUSED : ControlResult.State.APPLIED,
                        Optional.of(at), refusal));
            }
        }
    }

    @Override
    public void close() {
    }

    private List<Row> sorted() {
        List<Row> rows = new ArrayList<>(trials.values());
        rows.sort(Comparator.comparingInt(r -> r.spec.sequence()));
        return rows;
    }

    private static StoredTrial toStored(Row r, boolean withIntermediate) {
        List<Metric> inter = withIntermediate ? r.intermediate : List.of();
        Trial t = new Trial(r.spec.id(), r.spec.sequence(), r.spec.parameterId(), r.spec.parameters(), r.status,
                r.platform, r.submitted, Optional.ofNullable(r.started), Optional.ofNullable(r.ended),
                Optional.ofNullable(r.exitCode), r.message, inter, Optional.ofNullable(r.finalMetric),
                Optional.ofNullable(r.finalValue), Optional.ofNullable(r.machine));
        return new StoredTrial(t, r.attempt);
    }
}
