package dev.hybrid.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.space.Parameters;
import dev.hybrid.store.ControlRequest;
import dev.hybrid.store.ControlResult;
import dev.hybrid.store.ExperimentChange;
import dev.hybrid.store.ExperimentOwner;
import dev.hybrid.store.ExperimentStore;
import dev.hybrid.store.ImportedResult;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ExperimentStore} must do: keep the experiment row with a growing revision, trials through
 * their lifecycle, every metric in report order with its JSON text unchanged (one final per attempt), attempts,
 * import data, the queries the command line uses, the history of changes made while the experiment ran, and control
 * requests with their outcomes. Subclasses say how to make a store in a directory.
 */
public abstract class ExperimentStoreContract {
    protected static final Instant T0 = Instant.parse("2026-01-02T03:04:05.123456789Z");

    @TempDir
    protected Path dir;

    protected ExperimentStore store;

    /** A new, unopened store kept in {@code directory}. */
    protected abstract ExperimentStore newStore(Path directory);

    @BeforeEach
    void openStore() {
        store = newStore(dir);
        store.open();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected static TrialSpec spec(String id, int sequence, double x) {
        return new TrialSpec(new TrialId(id), sequence, sequence, new Parameters(Map.of("x", x, "kind", "a")));
    }

    protected static StoredExperiment experiment(ExperimentStatus status) {
        return new StoredExperiment("exp1", Optional.of("name"), "{\"a\":1}", OptimizeMode.MAXIMIZE, status,
                Optional.of(T0), Optional.empty(), Duration.ofSeconds(5), 0);
    }

    @Test
    void aNewStoreHasNoExperimentAndNoTrials() {
        assertThat(store.experiment()).isEmpty();
        assertThat(store.trials()).isEmpty();
        assertThat(store.imported()).isEmpty();
    }

    @Test
    void eachSaveOfTheExperimentAddsOneToItsRevision() {
        StoredExperiment first = store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        StoredExperiment second = store.saveExperiment(first.withProgress(ExperimentStatus.DONE,
                Optional.of(T0.plusSeconds(9)), Duration.ofSeconds(9)));
        store.commit();
        assertThat(first.revision()).isEqualTo(1);
        assertThat(second.revision()).isEqualTo(2);
        assertThat(store.experiment()).contains(second);
    }

    @Test
    void aTrialPlacedByACompositePlatformKeepsTheChildsName() {
        store.trialSubmitted(spec("t1", 0, 0.5), "hybrid", 1, T0);
        store.trialPlaced(new TrialId("t1"), "remote");
        store.trialPlaced(new TrialId("unknown"), "local");
        store.trialStarted(new TrialId("t1"), T0.plusSeconds(1));
        store.commit();
        assertThat(store.trials()).singleElement().satisfies(t -> assertThat(t.trial().platform()).isEqualTo("remote"));
    }

    @Test
    void eachAttemptKeepsItsOwnMachineAndTheTrialShowsTheCurrentAttempts() {
        TrialId t1 = new TrialId("t1");
        store.trialSubmitted(spec("t1", 0, 0.5), "remote", 1, T0);
        store.trialStarted(t1, T0.plusSeconds(1));
        store.trialOnMachine(t1, "10.0.0.1:22", T0.plusSeconds(1));
        store.trialOnMachine(new TrialId("unknown"), "10.0.0.3:22", T0.plusSeconds(1));
        store.commit();
        assertThat(store.trials()).singleElement().satisfies(t -> assertThat(t.trial().machine())
                .contains("10.0.0.1:22"));

        store.trialSubmitted(spec("t1", 0, 0.5), "remote#2", 2, T0.plusSeconds(5));
        store.commit();
        assertThat(store.trials()).singleElement().satisfies(t -> assertThat(t.trial().machine()).isEmpty());
        store.trialStarted(t1, T0.plusSeconds(6));
        store.trialOnMachine(t1, "10.0.0.2:2222", T0.plusSeconds(6));
        store.commit();
        assertThat(store.trials()).singleElement().satisfies(t -> {
            assertThat(t.attempt()).isEqualTo(2);
            assertThat(t.trial().platform()).isEqualTo("remote#2");
            assertThat(t.trial().machine()).contains("10.0.0.2:2222");
        });
    }

    @Test
    void aTrialIsKeptThroughItsLifecycleWithItsMetricsAsReceived() {
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.trialStarted(new TrialId("t1"), T0.plusSeconds(1));
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 0, "0.25", T0.plusSeconds(2)),
                Optional.empty());
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 1, "{\"default\": 0.5}",
                T0.plusSeconds(3)), Optional.empty());
        store.metricReported(new TrialId("t1"), new Metric(MetricType.FINAL, 0, "0.75", T0.plusSeconds(4)),
                Optional.of(0.75));
        store.trialEnded(new TrialId("t1"), TrialStatus.SUCCEEDED, Optional.of(0), "", T0.plusSeconds(5));
        store.commit();

        StoredTrial t = store.trials().get(0);
        assertThat(t.attempt()).isEqualTo(1);
        assertThat(t.trial().id()).isEqualTo(new TrialId("t1"));
        assertThat(t.trial().parameters()).isEqualTo(spec("t1", 0, 0.5).parameters());
        assertThat(t.trial().status()).isEqualTo(TrialStatus.SUCCEEDED);
        assertThat(t.trial().platform()).isEqualTo("local");
        assertThat(t.trial().submitted()).isEqualTo(T0);
        assertThat(t.trial().started()).contains(T0.plusSeconds(1));
        assertThat(t.trial().ended()).contains(T0.plusSeconds(5));
        assertThat(t.trial().exitCode()).contains(0);
        assertThat(t.trial().intermediate()).extracting(Metric::value).containsExactly("0.25", "{\"default\": 0.5}");
        assertThat(t.trial().finalMetric()).map(Metric::value).contains("0.75");
        assertThat(t.trial().finalValue()).contains(0.75);
    }

    @Test
    void everyIntermediateMetricIsKeptInReportOrderWhateverItsSequence() {
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        int[] sequences = {3, 0, 0, 1, 0, 0};
        for (int i = 0; i < sequences.length; i++) {
            // The same metric twice too: a trial may well report the same value twice.
            String value = i == 5 ? "0.4" : "0." + i;
            store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, sequences[i], value,
                    T0.plusSeconds(i)), Optional.empty());
        }
        store.commit();
        assertThat(store.trials().get(0).trial().intermediate())
                .extracting(Metric::sequence, Metric::value)
                .containsExactly(tuple(3, "0.0"), tuple(0, "0.1"), tuple(0, "0.2"), tuple(1, "0.3"), tuple(0, "0.4"),
                        tuple(0, "0.4"));
    }

    @Test
    void anAttemptKeepsItsFirstFinalMetricWhateverItsSequence() {
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.metricReported(new TrialId("t1"), new Metric(MetricType.FINAL, 7, "0.9", T0), Optional.of(0.9));
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 0, "0.1", T0), Optional.empty());
        store.metricReported(new TrialId("t1"), new Metric(MetricType.FINAL, 0, "0.2", T0), Optional.of(0.2));
        store.commit();
        StoredTrial t = store.trials().get(0);
        assertThat(t.trial().finalMetric()).map(Metric::value).contains("0.9");
        assertThat(t.trial().finalValue()).contains(0.9);
        assertThat(t.trial().intermediate()).extracting(Metric::value).containsExactly("0.1");
        assertThat(store.topTrials(1, OptimizeMode.MAXIMIZE)).singleElement()
                .satisfies(top -> assertThat(top.trial().finalValue()).contains(0.9));
    }

    @Test
    void aFinalMetricThatIsNotAFiniteNumberIsKeptButHasNoValueAndIsNeverRanked() {
        String[] values = {"NaN", "Infinity", "-Infinity", "{\"default\": NaN}", "0.5"};
        for (int i = 0; i < values.length; i++) {
            String id = "t" + i;
            store.trialSubmitted(spec(id, i, i), "local", 1, T0);
            double scalar = new Metric(MetricType.FINAL, 0, values[i], T0).scalar();
            store.metricReported(new TrialId(id), new Metric(MetricType.FINAL, 0, values[i], T0), Optional.of(scalar));
        }
        store.commit();
        List<StoredTrial> trials = store.trials();
        assertThat(trials).extracting(t -> t.trial().finalMetric().orElseThrow().value()).containsExactly(values);
        assertThat(trials).extracting(t -> t.trial().finalValue()).containsExactly(Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(0.5));
        for (OptimizeMode mode : OptimizeMode.values()) {
            assertThat(store.topTrials(5, mode)).extracting(t -> t.trial().id().value()).containsExactly("t4");
        }
    }

    @Test
    void writesAboutUnknownTrialsAreIgnored() {
        store.trialStarted(new TrialId("nope"), T0);
        store.metricReported(new TrialId("nope"), new Metric(MetricType.FINAL, 0, "1", T0), Optional.of(1.0));
        store.trialEnded(new TrialId("nope"), TrialStatus.FAILED, Optional.empty(), "", T0);
        store.commit();
        assertThat(store.trials()).isEmpty();
    }

    @Test
    void aResubmittedTrialStartsAFreshAttemptWithTheSameParameters() {
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 1, T0);
        store.trialStarted(new TrialId("t1"), T0);
        store.metricReported(new TrialId("t1"), new Metric(MetricType.PERIODICAL, 0, "0.1", T0), Optional.empty());
        store.trialSubmitted(spec("t1", 0, 0.5), "local", 2, T0.plusSeconds(60));
        store.commit();
        StoredTrial t = store.trials().get(0);
        assertThat(t.attempt()).isEqualTo(2);
        assertThat(t.trial().status()).isEqualTo(TrialStatus.WAITING);
        assertThat(t.trial().intermediate()).isEmpty();
        assertThat(t.trial().parameters()).isEqualTo(spec("t1", 0, 0.5).parameters());
    }

    @Test
    void trialsAreFilteredByStatusAndRankedByFinalValue() {
        double[] values = {0.3, 0.9, 0.1, 0.7};
        for (int i = 0; i < values.length; i++) {
            String id = "t" + i;
            store.trialSubmitted(spec(id, i, values[i]), "local", 1, T0);
            store.metricReported(new TrialId(id), new Metric(MetricType.FINAL, 0, String.valueOf(values[i]), T0),
                    Optional.of(values[i]));
            store.trialEnded(new TrialId(id), i == 2 ? TrialStatus.FAILED : TrialStatus.SUCCEEDED, Optional.empty(),
                    "", T0);
        }
        store.trialSubmitted(spec("t4", 4, 0.0), "local", 1, T0);
        store.commit();

        assertThat(store.topTrials(2, OptimizeMode.MAXIMIZE)).extracting(t -> t.trial().id().value())
                .containsExactly("t1", "t3");
        assertThat(store.topTrials(1, OptimizeMode.MINIMIZE)).extracting(t -> t.trial().id().value())
                .containsExactly("t2");
        assertThat(store.trials(Optional.of(TrialStatus.FAILED), false)).extracting(t -> t.trial().id().value())
                .containsExactly("t2");
        assertThat(store.trialCounts()).isEqualTo(Map.of(TrialStatus.SUCCEEDED, 3, TrialStatus.FAILED, 1,
                TrialStatus.WAITING, 1));
    }

    @Test
    void importedResultsAreKeptInOrder() {
        List<ImportedResult> data = List.of(new ImportedResult(new Parameters(Map.of("x", 0.1)), "0.5"),
                new ImportedResult(new Parameters(Map.of("x", 0.2)), "{\"default\":0.7}"));
        store.addImported(data);
        store.commit();
        assertThat(store.imported()).isEqualTo(data);
    }

    @Test
    void changesAreKeptInOrderWithWhoMadeThem() {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        List<ExperimentChange> changes = List.of(
                new ExperimentChange(T0, "maxTrialNumber", "10", "15", "api"),
                new ExperimentChange(T0.plusSeconds(1), "maxExecDuration", "", "PT2H", "dashboard"),
                new ExperimentChange(T0.plusSeconds(2), "status", "RUNNING", "STOPPING", "cli"));
        changes.forEach(store::changeRecorded);
        store.commit();
        assertThat(store.changes()).isEqualTo(changes);
    }

    @Test
    void aControlRequestWaitsUntilTheExperimentHandlesItAndKeepsItsFirstOutcome() {
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.commit();
        assertThat(store.isRunning()).isTrue();
        assertThat(store.runningOwner()).map(ExperimentOwner::pid).contains(ProcessHandle.current().pid());

        long raise = store.requestControl("exp1", new ControlRequest.SetMaxTrialNumber(15), "cli");
        long stop = store.requestControl("exp1", new ControlRequest.Stop());
        long cancel = store.requestControl("exp1", new ControlRequest.CancelTrial(new TrialId("t1")), "dashboard");

        assertThat(store.pendingControls()).extracting(ControlResult::id).containsExactly(raise, stop, cancel);
        ControlResult pending = store.controlResult(raise).orElseThrow();
        assertThat(pending.request()).isEqualTo(new ControlRequest.SetMaxTrialNumber(15));
        assertThat(pending.source()).isEqualTo("cli");
        assertThat(pending.state()).isEqualTo(ControlResult.State.PENDING);
        assertThat(pending.handled()).isEmpty();
        assertThat(store.controlResult(stop).orElseThrow().source()).isEqualTo("api");

        store.controlHandled(raise, Optional.empty(), T0);
        store.controlHandled(cancel, Optional.of("the experiment has no trial t1"), T0);
        store.controlHandled(raise, Optional.of("too late"), T0.plusSeconds(1));

        assertThat(store.pendingControls()).extracting(ControlResult::id).containsExactly(stop);
        ControlResult applied = store.controlResult(raise).orElseThrow();
        assertThat(applied.state()).isEqualTo(ControlResult.State.APPLIED);
        assertThat(applied.reason()).isEmpty();
        assertThat(applied.handled()).isPresent();
        ControlResult refused = store.controlResult(cancel).orElseThrow();
        assertThat(refused.state()).isEqualTo(ControlResult.State.REFUSED);
        assertThat(refused.reason()).contains("the experiment has no trial t1");
        assertThat(refused.request()).isEqualTo(new ControlRequest.CancelTrial(new TrialId("t1")));
        assertThat(store.controlResult(9999)).isEmpty();
    }

    @Test
    void aControlRequestMustNameTheStoredExperiment() {
        assertThatThrownBy(() -> store.requestControl("exp1", new ControlRequest.Stop()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exp1 is not running");
        store.saveExperiment(experiment(ExperimentStatus.RUNNING));
        store.commit();
        assertThatThrownBy(() -> store.requestControl("other", new ControlRequest.Stop()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("this store holds experiment exp1, not other");
        assertThatThrownBy(() -> store.requestControl("exp1", new ControlRequest.Stop(), " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("source must not be blank");
        assertThat(store.pendingControls()).isEmpty();
    }
}
