package dev.hybrid.dashboard.internal;

import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a running experiment through its handle's snapshots, for an experiment that keeps its state in memory (no
 * working directory). The handle does not say which attempt a trial is on, so every trial shows attempt 1.
 */
public final class HandleSource implements ExperimentSource {
    private final ExperimentHandle handle;
    private final OptimizeMode optimizeMode;
    private final Clock clock;
    private final Steering steering;
    private List<Trial> last = List.of();

    public HandleSource(ExperimentHandle handle, OptimizeMode optimizeMode, Clock clock) {
        this.handle = handle;
        this.optimizeMode = optimizeMode;
        this.clock = clock;
        this.steering = new HandleSteering(handle);
    }

    @Override
    public long cursor() {
        long h = handle.status().ordinal();
        for (Trial t : handle.trials()) {
            h = h * 31 + t.id().hashCode();
            h = h * 31 + t.status().ordinal();
            h = h * 31 + t.intermediate().size();
            h = h * 31 + (t.finalMetric().isPresent() ? 1 : 0);
            h = h * 31 + t.platform().hashCode();
        }
        return h;
    }

    @Override
    public Snapshot snapshot() {
        ExperimentSummary s = handle.summary();
        last = handle.trials();
        List<StoredTrial> rows = new ArrayList<>(last.size());
        for (Trial t : last) {
            rows.add(new StoredTrial(t, 1));
        }
        ExperimentInfo info = new ExperimentInfo(s.experimentId(), s.name(), s.status(), !s.status().isFinished(),
                s.started(), s.ended(), s.elapsed(), optimizeMode, s.maxTrialNumber(), s.maxExecDuration(),
                Optional.of(s.trialConcurrency()), "", s.failure());
        return new Snapshot(info, rows, clock.instant());
    }

    @Override
    public Map<TrialId, List<Metric>> intermediate(Collection<TrialId> trials) {
        Map<TrialId, List<Metric>> out = new HashMap<>();
        for (TrialId id : trials) {
            handle.trial(id).filter(t -> !t.intermediate().isEmpty()).ifPresent(t -> out.put(id, t.intermediate()));
        }
        return out;
    }

    @Override
    public Optional<Path> trialDirectory(TrialId trial) {
        return Optional.empty();
    }

    @Override
    public Optional<Steering> steering() {
        return Optional.of(steering);
    }

    @Override
    public void close() {
        // the handle belongs to the caller
    }
}
