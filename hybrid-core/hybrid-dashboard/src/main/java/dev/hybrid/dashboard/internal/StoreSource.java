package dev.hybrid.dashboard.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.store.TrialsRead;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads an experiment from its SQLite database with a reader of its own, while the experiment runs (in this process
 * or another) or after it ended. The database may not exist yet when an experiment that was just started is served:
 * until it does, the experiment shows as {@code INITIALIZED} with no trials.
 */
public final class StoreSource implements ExperimentSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path experimentDir;
    private final Clock clock;
    private final Optional<Steering> steering;
    private SqliteExperimentStore store;
    /** Every trial read so far, in sequence order (then by id), kept current by reading only what changed. */
    private final java.util.TreeMap<TrialKey, StoredTrial> trials = new java.util.TreeMap<>();
    private final Map<String, TrialKey> keys = new java.util.HashMap<>();
    private TrialsRead.Position read = TrialsRead.START;
    private Duration seenElapsed;
    private java.time.Instant seenAt;

    public StoreSource(Path experimentDir, Clock clock, Optional<Steering> steering) {
        this.experimentDir = experimentDir;
        this.clock = clock;
        this.steering = steering;
    }

    /** Opens the database now: a missing or unreadable one is an error here rather than an empty page. */
    public StoreSource requireDatabase() {
        if (!Files.isRegularFile(SqliteExperimentStore.databaseFile(experimentDir))) {
            throw new StoreException("no experiment in " + experimentDir + " (no database at "
                    + SqliteExperimentStore.databaseFile(experimentDir) + ")");
        }
        store().orElseThrow();
        return this;
    }

    private Optional<SqliteExperimentStore> store() {
        if (store == null && Files.isRegularFile(SqliteExperimentStore.databaseFile(experimentDir))) {
            SqliteExperimentStore s = SqliteExperimentStore.readOnly(experimentDir);
            s.open();
            store = s;
        }
        return Optional.ofNullable(store);
    }

    @Override
    public long cursor() {
        return store().map(SqliteExperimentStore::changeCount).orElse(-1L);
    }

    @Override
    public Snapshot snapshot() {
        Optional<SqliteExperimentStore> s = store();
        Optional<StoredExperiment> row = s.flatMap(SqliteExperimentStore::experiment);
        if (row.isEmpty()) {
            String id = experimentDir.getFileName().toString();
            ExperimentInfo info = new ExperimentInfo(id, Optional.empty(), ExperimentStatus.INITIALIZED, true,
                    Optional.empty(), Optional.empty(), Duration.ZERO, OptimizeMode.MAXIMIZE, Optional.empty(),
                    Optional.empty(), Optional.empty(), "", Optional.empty());
            return new Snapshot(info, List.of(), clock.instant());
        }
        return new Snapshot(info(row.get()), currentTrials(s.get()), clock.instant());
    }

    /** Every trial as it is now: the first call reads them all, later ones only those that changed since. */
    private List<StoredTrial> currentTrials(SqliteExperimentStore s) {
        TrialsRead changed = s.trialsChanged(read);
        for (StoredTrial t : changed.trials()) {
            TrialKey key = new TrialKey(t.trial().sequence(), t.trial().id().value());
            TrialKey old = keys.put(key.id(), key);
            if (old != null && !old.equals(key)) {
                trials.remove(old);
            }
            trials.put(key, t);
        }
        read = changed.next();
        return new ArrayList<>(trials.values());
    }

    private record TrialKey(int sequence, String id) implements Comparable<TrialKey> {
        @Override
        public int compareTo(TrialKey o) {
            int c = Integer.compare(sequence, o.sequence);
            return c != 0 ? c : id.compareTo(o.id);
        }
    }

    private ExperimentInfo info(StoredExperiment e) {
        boolean live = !e.status().isFinished() && store.isRunning();
        JsonNode config;
        try {
            config = JSON.readTree(e.configJson());
        } catch (IOException ex) {
            config = JSON.createObjectNode();
        }
        JsonNode tuner = config.path("tuner");
        String tunerName = tuner.path("name").isTextual() ? tuner.path("name").asText()
                : tuner.path("class").asText("").replaceAll(".*[.$]", "");
        return new ExperimentInfo(e.id(), e.name(), e.status(), live, e.started(), e.ended(), elapsed(e, live),
                e.optimizeMode(), e.maxTrialNumber().filter(n -> n != Integer.MAX_VALUE), e.maxExecDuration(),
                e.trialConcurrency(), tunerName,
                Optional.empty());
    }

    /**
     * The experiment's elapsed time. A running experiment saves it only with other writes (at most once a second),
     * so an idle stretch would freeze it: while it runs, the time since this reader first saw the saved value is
     * added (which is behind by at most the time between the save and that read).
     */
    private Duration elapsed(StoredExperiment e, boolean live) {
        java.time.Instant now = clock.instant();
        if (!e.elapsed().equals(seenElapsed)) {
            seenElapsed = e.elapsed();
            seenAt = now;
        }
        return live ? seenElapsed.plus(Duration.between(seenAt, now)) : e.elapsed();
    }

    @Override
    public Map<TrialId, List<Metric>> intermediate(Collection<TrialId> trials) {
        return store().map(s -> s.intermediate(trials)).orElse(Map.of());
    }

    @Override
    public Optional<Path> trialDirectory(TrialId trial) {
        Path dir = experimentDir.resolve("trials").resolve(trial.value());
        return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
    }

    @Override
    public Optional<Steering> steering() {
        return steering;
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
