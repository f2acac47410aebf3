package dev.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.config.ConfigException;
import dev.hybrid.internal.json.Json;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.testkit.ScriptedTuner;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialFunction;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Builder experiments kept in the SQLite store and resumed from it. */
class ExperimentResumeTest {
    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));
    private static final TrialFunction REPORT_X = (p, r) -> r.reportFinal(p.getDouble("x"));

    @TempDir
    Path work;

    private static ScriptedTuner randomTuner(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new ScriptedTuner().otherwise(n -> new dev.hybrid.tuner.Suggestion.Next(
                new Parameters(Map.of("x", random.nextDouble()))));
    }

    private static List<StoredTrial> stored(Path experimentDir) {
        try (SqliteExperimentStore s = SqliteExperimentStore.readOnly(experimentDir)) {
            s.open();
            return s.trials();
        }
    }

    private static ExperimentHandle runToEnd(Experiment e) throws InterruptedException {
        ExperimentHandle h = e.start();
        assertThat(h.awaitCompletion(Duration.ofSeconds(20))).isTrue();
        return h;
    }

    @Test
    void anExperimentWithAWorkingDirectoryKeepsEveryTrialInItsDatabase() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("keep1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(4).trialFunction(REPORT_X).build()) {
            ExperimentHandle h = runToEnd(e);
            List<StoredTrial> trials = stored(work.resolve("keep1"));
            assertThat(trials).extracting(StoredTrial::trial).isEqualTo(h.trials());
        }
        try (SqliteExperimentStore s = SqliteExperimentStore.readOnly(work.resolve("keep1"))) {
            s.open();
            StoredExperiment row = s.experiment().orElseThrow();
            assertThat(row.status()).isEqualTo(ExperimentStatus.DONE);
            assertThat(row.ended()).isPresent();
            assertThat(Json.readTree(row.configJson()).get("maxTrialNumber").asInt()).isEqualTo(4);
        }
    }

    @Test
    void everyIntermediateResultIsKeptInReportOrderAlikeInMemoryAndInTheDatabase() throws Exception {
        // Raw writers and stdout lines may send no sequence (0) or repeat one; nothing may be dropped.
        int[] sequences = {0, 0, 0, 2, 1, 1};
        dev.hybrid.testkit.FakePlatform platform = dev.hybrid.testkit.FakePlatform.withSlots(2);
        platform.onSubmit(spec -> {
            List<dev.hybrid.trial.TrialEvent> events = new java.util.ArrayList<>();
            events.add(platform.started(spec.id()));
            for (int i = 0; i < sequences.length; i++) {
                events.add(platform.metric(spec.id(), MetricType.PERIODICAL, sequences[i], String.valueOf(i)));
            }
            events.add(platform.finalMetric(spec.id(), 0.5));
            events.add(platform.ended(spec.id(), TrialStatus.SUCCEEDED));
            return events;
        });
        try (Experiment e = Experiment.builder().experimentId("order1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(3).platform(platform).build()) {
            ExperimentHandle h = runToEnd(e);
            assertThat(h.trials()).hasSize(3).allSatisfy(t -> assertThat(t.intermediate())
                    .extracting(Metric::value).containsExactly("0", "1", "2", "3", "4", "5"));
            assertThat(stored(work.resolve("order1"))).extracting(StoredTrial::trial).isEqualTo(h.trials());
        }
    }

    @Test
    void aNanOrInfiniteFinalResultFailsItsTrialAndNeverReachesTheTunerOrTheBest() throws Exception {
        // Trial sequence i reports VALUES[i]; an object's default counts as its value.
        String[] values = {"Infinity", "0.25", "NaN", "-Infinity", "{\"default\": NaN}", "0.5",
            "{\"default\": 0.75, \"loss\": Infinity}"};
        dev.hybrid.testkit.FakePlatform platform = dev.hybrid.testkit.FakePlatform.withSlots(1);
        platform.onSubmit(spec -> List.of(platform.started(spec.id()),
                platform.metric(spec.id(), MetricType.FINAL, 0, values[spec.sequence()]),
                platform.ended(spec.id(), TrialStatus.SUCCEEDED)));
        ScriptedTuner tuner = randomTuner(3);
        try (Experiment e = Experiment.builder().experimentId("nan1").workingDirectory(work).searchSpace(SPACE)
                .tuner(tuner).maxTrialNumber(values.length).platform(platform).build()) {
            ExperimentHandle h = runToEnd(e);
            List<dev.hybrid.trial.Trial> trials = h.trials();
            assertThat(trials).extracting(dev.hybrid.trial.Trial::status).containsExactly(TrialStatus.FAILED,
                    TrialStatus.SUCCEEDED, TrialStatus.FAILED, TrialStatus.FAILED, TrialStatus.FAILED,
                    TrialStatus.SUCCEEDED, TrialStatus.SUCCEEDED);
            assertThat(trials.get(0).message()).contains("finite number").contains("Infinity");
            assertThat(trials.get(2).message()).contains("finite number").contains("NaN");
            assertThat(trials.get(0).finalMetric()).map(Metric::value).contains("Infinity");
            assertThat(trials).filteredOn(t -> t.status() == TrialStatus.FAILED)
                    .allSatisfy(t -> assertThat(t.finalValue()).isEmpty());
            assertThat(tuner.results()).extracting(ScriptedTuner.Call.Result::value).containsExactly(0.25, 0.5, 0.75);
            assertThat(tuner.ends()).extracting(ScriptedTuner.Call.End::status).containsExactly(TrialStatus.FAILED,
                    TrialStatus.SUCCEEDED, TrialStatus.FAILED, TrialStatus.FAILED, TrialStatus.FAILED,
                    TrialStatus.SUCCEEDED, TrialStatus.SUCCEEDED);
            assertThat(h.bestTrial()).flatMap(dev.hybrid.trial.Trial::finalValue).contains(0.75);
            assertThat(h.summary().bestTrial()).flatMap(dev.hybrid.trial.Trial::finalValue).contains(0.75);
            assertThat(stored(work.resolve("nan1"))).extracting(StoredTrial::trial).isEqualTo(trials);
        }
        try (SqliteExperimentStore s = SqliteExperimentStore.readOnly(work.resolve("nan1"))) {
            s.open();
            assertThat(s.topTrials(10, OptimizeMode.MAXIMIZE)).extracting(t -> t.trial().finalValue().orElseThrow())
                    .containsExactly(0.75, 0.5, 0.25);
        }
    }

    @Test
    void aResumedExperimentReplaysItsHistoryIntoTheTunerAndContinuesTheBudget() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("res1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(3).trialFunction(REPORT_X).build()) {
            runToEnd(e);
        }
        List<StoredTrial> before = stored(work.resolve("res1"));

        ScriptedTuner tuner = randomTuner(2);
        try (Experiment e = Experiment.resume(work.resolve("res1")).tuner(tuner).trialFunction(REPORT_X)
                .maxTrialNumber(5).build()) {
            ExperimentHandle h = runToEnd(e);
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            assertThat(h.trials()).hasSize(5);
        }
        List<StoredTrial> after = stored(work.resolve("res1"));
        assertThat(after).hasSize(5);
        assertThat(after.subList(0, 3)).isEqualTo(before);
        assertThat(after).extracting(t -> t.trial().sequence()).containsExactly(0, 1, 2, 3, 4);
        assertThat(after).extracting(t -> t.trial().id()).doesNotHaveDuplicates();
        // The tuner's history is exactly what is stored: replayed results first, then its own.
        Map<TrialId, Double> history = new LinkedHashMap<>();
        tuner.results().forEach(r -> history.put(r.trial(), r.value()));
        Map<TrialId, Double> storedResults = new LinkedHashMap<>();
        after.forEach(t -> storedResults.put(t.trial().id(), t.trial().finalValue().orElseThrow()));
        assertThat(history).isEqualTo(storedResults);
        assertThat(tuner.results().subList(0, 3)).extracting(ScriptedTuner.Call.Result::parameters)
                .isEqualTo(before.stream().map(t -> t.trial().parameters()).toList());
    }

    @Test
    void aResumedHyperbandContinuesTheBracketItWasIn() throws Exception {
        TrialFunction reportX = (p, r) -> {
            assertThat(p.values().get("TRIAL_BUDGET")).isInstanceOf(Integer.class);
            r.reportFinal(p.getDouble("x"));
        };
        try (Experiment e = Experiment.builder().experimentId("hb1").workingDirectory(work).searchSpace(SPACE)
                .advisor("Hyperband", Map.of("R", 9, "eta", 3)).seed(4).maxTrialNumber(11).trialFunction(reportX)
                .build()) {
            runToEnd(e);
        }
        try (Experiment e = Experiment.resume(work.resolve("hb1")).trialFunction(reportX).maxTrialNumber(13)
                .build()) {
            assertThat(runToEnd(e).status()).isEqualTo(ExperimentStatus.DONE);
        }
        List<Parameters> all = stored(work.resolve("hb1")).stream().map(t -> t.trial().parameters()).toList();
        assertThat(all).extracting(p -> p.values().get("TRIAL_BUDGET"))
                .containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 9);
        List<Double> firstRung = all.subList(0, 9).stream().map(p -> p.getDouble("x"))
                .sorted(java.util.Comparator.reverseOrder()).toList();
        // the third promotion, proposed after the resume, completes the best three; then the best runs at 9
        assertThat(all.subList(9, 12)).extracting(p -> p.getDouble("x"))
                .containsExactlyInAnyOrderElementsOf(firstRung.subList(0, 3));
        assertThat(all.get(12).getDouble("x")).isEqualTo(firstRung.get(0));
    }

    @Test
    void trialsThatWereRunningWhenTheProcessDiedRunAgainAsANewAttempt() throws Exception {
        Path dir = work.resolve("crash1");
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("searchSpace", SPACE.toPlain());
        settings.put("tuner", Map.of("class", ScriptedTuner.class.getName()));
        settings.put("optimizeMode", "MAXIMIZE");
        settings.put("seed", 7);
        settings.put("trialConcurrency", 2);
        settings.put("maxTrialNumber", 3);
        try (SqliteExperimentStore s = SqliteExperimentStore.forWriting(dir)) {
            s.open();
            s.saveExperiment(new StoredExperiment("crash1", Optional.empty(), Json.write(settings),
                    OptimizeMode.MAXIMIZE, ExperimentStatus.RUNNING, Optional.of(t0), Optional.empty(),
                    Duration.ofMinutes(1), 0));
            s.trialSubmitted(new TrialSpec(new TrialId("done1"), 0, 0, new Parameters(Map.of("x", 0.25))), "x", 1, t0);
            s.metricReported(new TrialId("done1"), new Metric(MetricType.FINAL, 0, "0.25", t0), Optional.of(0.25));
            s.trialEnded(new TrialId("done1"), TrialStatus.SUCCEEDED, Optional.empty(), "", t0);
            s.trialSubmitted(new TrialSpec(new TrialId("run1"), 1, 1, new Parameters(Map.of("x", 0.5))), "x", 1, t0);
            s.trialStarted(new TrialId("run1"), t0);
            s.metricReported(new TrialId("run1"), new Metric(MetricType.PERIODICAL, 0, "0.1", t0), Optional.empty());
        }

        ScriptedTuner tuner = randomTuner(3);
        try (Experiment e = Experiment.resume(dir).tuner(tuner).trialFunction((p, r) -> {
            r.reportIntermediate(0.2);
            r.reportFinal(p.getDouble("x"));
        }).build()) {
            ExperimentHandle h = runToEnd(e);
            assertThat(h.trials()).hasSize(3);
            assertThat(h.trials()).allMatch(t -> t.status() == TrialStatus.SUCCEEDED);
        }
        List<StoredTrial> after = stored(dir);
        assertThat(after).hasSize(3);
        StoredTrial rerun = after.get(1);
        assertThat(rerun.trial().id()).isEqualTo(new TrialId("run1"));
        assertThat(rerun.attempt()).isEqualTo(2);
        assertThat(rerun.trial().parameters()).isEqualTo(new Parameters(Map.of("x", 0.5)));
        assertThat(rerun.trial().intermediate()).extracting(Metric::value).containsExactly("0.2");
        assertThat(rerun.trial().finalValue()).contains(0.5);
        assertThat(tuner.suggestions()).hasSize(1);
        assertThat(after.get(2).trial().sequence()).isEqualTo(2);
    }

    @Test
    void timeSpentBeforeCountsAgainstMaxExecDuration() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("time1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(1).trialFunction(REPORT_X).build()) {
            runToEnd(e);
        }
        try (SqliteExperimentStore s = SqliteExperimentStore.existingForWriting(work.resolve("time1"))) {
            s.open();
            StoredExperiment row = s.experiment().orElseThrow();
            s.saveExperiment(row.withProgress(row.status(), row.ended(), Duration.ofMinutes(10)));
        }
        ScriptedTuner tuner = randomTuner(2);
        try (Experiment e = Experiment.resume(work.resolve("time1")).tuner(tuner).trialFunction(REPORT_X)
                .maxTrialNumber(100).maxExecDuration(Duration.ofMinutes(10)).build()) {
            ExperimentHandle h = runToEnd(e);
            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            assertThat(h.trials()).hasSize(1);
        }
        assertThat(tuner.suggestions()).isEmpty();
    }

    @Test
    void resumingWithAnotherTunerIsRefusedAndLeavesTheExperimentUsable() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("tun1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(1).trialFunction(REPORT_X).build()) {
            runToEnd(e);
        }
        dev.hybrid.tuner.Tuner other = EngineTuners.constant();
        assertThatThrownBy(() -> Experiment.resume(work.resolve("tun1")).tuner(other).trialFunction(REPORT_X)
                .build()).isInstanceOf(ConfigException.class).hasMessageContaining("tuner")
                .hasMessageContaining("cannot change");
        assertThatThrownBy(() -> Experiment.resume(work.resolve("tun1")).trialFunction(REPORT_X).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("pass a new one");
        try (Experiment e = Experiment.resume(work.resolve("tun1")).tuner(randomTuner(2)).trialFunction(REPORT_X)
                .build()) {
            assertThat(runToEnd(e).trials()).hasSize(1);
        }
    }

    @Test
    void aSecondResumeOfARunningExperimentIsRefused() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("two1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(1).trialFunction(REPORT_X).build()) {
            runToEnd(e);
        }
        try (Experiment first = Experiment.resume(work.resolve("two1")).tuner(randomTuner(2))
                .trialFunction(REPORT_X).build()) {
            assertThatThrownBy(() -> Experiment.resume(work.resolve("two1")).tuner(randomTuner(3))
                    .trialFunction(REPORT_X).build()).isInstanceOf(StoreException.class)
                    .hasMessageContaining("in use");
        }
    }

    @Test
    void startingAnExistingExperimentAgainIsAConfigError() throws Exception {
        try (Experiment e = Experiment.builder().experimentId("dup1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(1).trialFunction(REPORT_X).build()) {
            runToEnd(e);
        }
        assertThatThrownBy(() -> Experiment.builder().experimentId("dup1").workingDirectory(work)
                .searchSpace(SPACE).tuner(randomTuner(1)).trialFunction(REPORT_X).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("experimentId")
                .hasMessageContaining("already exists");
    }

    @Test
    void aGivenStoreIsFilledAndLeftOpenForTheCaller() throws Exception {
        dev.hybrid.store.InMemoryExperimentStore store = new dev.hybrid.store.InMemoryExperimentStore();
        try (Experiment e = Experiment.builder().experimentId("mem1").searchSpace(SPACE).tuner(randomTuner(1))
                .maxTrialNumber(3).trialFunction(REPORT_X).store(store).build()) {
            runToEnd(e);
        }
        assertThat(store.trials()).hasSize(3).allMatch(t -> t.trial().finalValue().isPresent());
        assertThat(store.experiment()).map(StoredExperiment::status).contains(ExperimentStatus.DONE);
        assertThat(work).isEmptyDirectory();
    }

    /**
     * Each run of a resumed experiment draws from a stream of its own: with or without the tuner's {@code seed},
     * no parameter set of an earlier run comes again (all parameters are continuous, so a repeat means a repeated
     * random stream). TPE proposes at random for its first 20 trials, so it shows the same.
     */
    @ParameterizedTest
    @CsvSource({"Random, 3", "Random, ''", "TPE, 3", "TPE, ''"})
    void aResumedNamedTunerRepeatsNoEarlierRunsParameters(String tunerName, String seed) throws Exception {
        SearchSpace space = SearchSpace.of(new Uniform("x", 0, 1), new Uniform("y", 0, 1));
        TrialFunction sum = (p, r) -> r.reportFinal(p.getDouble("x") + p.getDouble("y"));
        Map<String, Object> classArgs = seed.isEmpty() ? Map.of() : Map.of("seed", Integer.parseInt(seed));
        Path dir = work.resolve("stream1");
        try (Experiment e = Experiment.builder().experimentId("stream1").workingDirectory(work).searchSpace(space)
                .tuner(tunerName, classArgs).maxTrialNumber(15).trialFunction(sum).build()) {
            runToEnd(e);
        }
        for (int total : new int[] {30, 45}) {
            try (Experiment e = Experiment.resume(dir).trialFunction(sum).maxTrialNumber(total).build()) {
                assertThat(runToEnd(e).status()).isEqualTo(ExperimentStatus.DONE);
            }
        }
        List<Parameters> tried = stored(dir).stream().map(t -> t.trial().parameters()).toList();
        assertThat(tried).hasSize(45).doesNotHaveDuplicates();
    }

    @Test
    void anExperimentWhoseDatabaseFolderIsDeletedWhileItRunsEndsInError() throws Exception {
        Path db = SqliteExperimentStore.databaseFile(work.resolve("lost1")).getParent();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        TrialFunction deleteOnSecond = (p, r) -> {
            if (calls.incrementAndGet() == 2) {
                try (var files = java.nio.file.Files.walk(db)) {
                    for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
            }
            r.reportFinal(p.getDouble("x"));
        };
        try (Experiment e = Experiment.builder().experimentId("lost1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(4).trialFunction(deleteOnSecond).build()) {
            ExperimentHandle h = runToEnd(e);
            assertThat(h.status()).isEqualTo(ExperimentStatus.ERROR);
            assertThat(h.summary().failure()).get().asString().contains("experiment.sqlite was deleted")
                    .contains("nothing it records is kept");
        }
        assertThat(db).doesNotExist();
    }

    @Test
    void aSecondBuildOfANewExperimentIsRefusedWhileTheFirstHoldsIt() throws Exception {
        try (Experiment first = Experiment.builder().experimentId("race1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(1).trialFunction(REPORT_X).build()) {
            assertThatThrownBy(() -> Experiment.builder().experimentId("race1").workingDirectory(work)
                    .searchSpace(SPACE).tuner(randomTuner(2)).maxTrialNumber(1).trialFunction(REPORT_X).build())
                    .isInstanceOf(HybridException.class).hasMessageContaining("race1")
                    .hasMessageFindingMatch("already exists|in use by another run");
            assertThat(runToEnd(first).status()).isEqualTo(ExperimentStatus.DONE);
        }
        assertThat(stored(work.resolve("race1"))).hasSize(1);
    }

    @Test
    void anExperimentBuiltButNeverStartedLeavesItsIdFree() throws Exception {
        Experiment.builder().experimentId("unused1").workingDirectory(work).searchSpace(SPACE).tuner(randomTuner(1))
                .maxTrialNumber(1).trialFunction(REPORT_X).build().close();
        try (Experiment e = Experiment.builder().experimentId("unused1").workingDirectory(work).searchSpace(SPACE)
                .tuner(randomTuner(1)).maxTrialNumber(2).trialFunction(REPORT_X).build()) {
            assertThat(runToEnd(e).status()).isEqualTo(ExperimentStatus.DONE);
        }
        assertThat(stored(work.resolve("unused1"))).hasSize(2);
    }

    /** A second tuner class, to change the tuner on resume. */
    static final class EngineTuners {
        static dev.hybrid.tuner.Tuner constant() {
            return new dev.hybrid.tuner.Tuner() {
                @Override
                public void updateSearchSpace(SearchSpace space) {
                }

                @Override
                public dev.hybrid.tuner.Suggestion suggest(TrialId trial) {
                    return new dev.hybrid.tuner.Suggestion.Next(new Parameters(Map.of("x", 0.5)));
                }

                @Override
                public void onResult(TrialId trial, Parameters parameters, double value) {
                }
            };
        }
    }

}
