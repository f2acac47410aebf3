package dev.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.ExperimentStore;
import dev.hybrid.store.ImportedResult;
import dev.hybrid.store.InMemoryExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.testkit.ScriptedTuner;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An experiment whose store fails part way (a full disk): it ends ERROR, and says so once, without stack traces. */
class ExperimentStoreFailureTest {

    /** An in-memory store that, after some commits, fails every write as a full disk does. */
    static final class FillingStore implements ExperimentStore {
        private final InMemoryExperimentStore store = new InMemoryExperimentStore();
        private int commitsLeft;

        FillingStore(int commits) {
            this.commitsLeft = commits;
        }

        private void write() {
            if (commitsLeft <= 0) {
                throw new StoreException("cannot write the experiment database: no space left on device (test)");
            }
        }

        @Override
        public void open() {
            store.open();
        }

        @Override
        public Optional<StoredExperiment> experiment() {
            return store.experiment();
        }

        @Override
        public StoredExperiment saveExperiment(StoredExperiment experiment) {
            write();
            return store.saveExperiment(experiment);
        }

        @Override
        public void trialSubmitted(TrialSpec spec, String platform, int attempt, Instant at) {
            write();
            store.trialSubmitted(spec, platform, attempt, at);
        }

        @Override
        public void trialStarted(TrialId trial, Instant at) {
            write();
            store.trialStarted(trial, at);
        }

        @Override
        public void trialOnMachine(TrialId trial, String machine, Instant at) {
            write();
            store.trialOnMachine(trial, machine, at);
        }

        @Override
        public void trialPlaced(TrialId trial, String platform) {
            write();
            store.trialPlaced(trial, platform);
        }

        @Override
        public void trialEnded(TrialId trial, TrialStatus status, Optional<Integer> exitCode, String message,
                Instant at) {
            write();
            store.trialEnded(trial, status, exitCode, message, at);
        }

        @Override
        public void metricReported(TrialId trial, Metric metric, Optional<Double> scalar) {
            write();
            store.metricReported(trial, metric, scalar);
        }

        @Override
        public void addImported(List<ImportedResult> results) {
            write();
            store.addImported(results);
        }

        @Override
        public List<ImportedResult> imported() {
            return store.imported();
        }

        @Override
        public void commit() {
            write();
            commitsLeft--;
            store.commit();
        }

        @Override
        public List<StoredTrial> trials() {
            return store.trials();
        }

        @Override
        public List<StoredTrial> trials(Optional<TrialStatus> status, boolean withIntermediate) {
            return store.trials(status, withIntermediate);
        }

        @Override
        public List<StoredTrial> topTrials(int n, OptimizeMode mode) {
            return store.topTrials(n, mode);
        }

        @Override
        public Map<TrialStatus, Integer> trialCounts() {
            return store.trialCounts();
        }

        @Override
        public void changeRecorded(dev.hybrid.store.ExperimentChange change) {
            write();
            store.changeRecorded(change);
        }

        @Override
        public List<dev.hybrid.store.ExperimentChange> changes() {
            return store.changes();
        }

        @Override
        public boolean isRunning() {
            return store.isRunning();
        }

        @Override
        public Optional<dev.hybrid.store.ExperimentOwner> runningOwner() {
            return store.runningOwner();
        }

        @Override
        public long requestControl(String experimentId, dev.hybrid.store.ControlRequest request, String source) {
            return store.requestControl(experimentId, request, source);
        }

        @Override
        public Optional<dev.hybrid.store.ControlResult> controlResult(long requestId) {
            return store.controlResult(requestId);
        }

        @Override
        public List<dev.hybrid.store.ControlResult> pendingControls() {
            return store.pendingControls();
        }

        @Override
        public void controlHandled(long requestId, Optional<String> refusal, java.time.Instant at) {
            store.controlHandled(requestId, refusal, at);
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void aStoreThatFillsUpEndsTheExperimentInErrorWithOneLineAndNoStackTrace() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        ExperimentHandle h;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (Experiment e = Experiment.builder().searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                .tuner(new ScriptedTuner().otherwise(n -> new dev.hybrid.tuner.Suggestion.Next(
                        new Parameters(Map.of("x", 0.5)))))
                .maxTrialNumber(20).trialFunction((p, r) -> r.reportFinal(p.getDouble("x")))
                .store(new FillingStore(4)).build()) {
            h = e.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(20))).isTrue();
        } finally {
            System.setErr(old);
        }
        assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
        assertThat(h.summary().failure()).get().asString().contains("no space left on device");
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as(String.join("\n", lines)).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"))
                .filteredOn(l -> l.contains("no space left")).hasSize(1);
    }
}
