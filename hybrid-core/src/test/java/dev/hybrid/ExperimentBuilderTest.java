package dev.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.StoreException;
import dev.hybrid.testkit.ScriptedTuner;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.builtin.TpeTuner;
import dev.hybrid.tuner.builtin.TpeTunerProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder as a library user meets it: tuners given as objects or by name, seeds, trials that throw Errors. */
class ExperimentBuilderTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));

    private final List<Experiment> experiments = new ArrayList<>();

    @AfterEach
    void closeExperiments() {
        experiments.forEach(Experiment::close);
    }

    private Experiment built(ExperimentBuilder builder) {
        Experiment e = builder.build();
        experiments.add(e);
        return e;
    }

    private static ExperimentHandle finished(ExperimentHandle h) throws InterruptedException {
        assertThat(h.awaitCompletion(WAIT)).as("experiment finished; now " + h.summary()).isTrue();
        return h;
    }

    private static TpeTuner minimisingTpe() {
        return new TpeTuner(TpeTuner.Settings.defaults(), new SplittableRandom(3));
    }

    @Test
    void aTrialThrowingAnErrorFailsAloneWithItsCauseAndTheExperimentGoesOn() throws Exception {
        ExperimentHandle h = finished(built(Experiment.builder().searchSpace(SPACE).tuner(new ScriptedTuner())
                .trialConcurrency(2).maxTrialNumber(5).trialFunction((p, r) -> {
                    if (p.getInt("i") == 1) {
                        throw new Error("native library missing");
                    }
                    if (p.getInt("i") == 3) {
                        throw new OutOfMemoryError("Java heap space");
                    }
                    r.reportFinal(p.getInt("i"));
                })).start());

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).extracting(Trial::status).containsExactly(TrialStatus.SUCCEEDED, TrialStatus.FAILED,
                TrialStatus.SUCCEEDED, TrialStatus.FAILED, TrialStatus.SUCCEEDED);
        assertThat(h.trials().get(1).message()).contains("java.lang.Error", "native library missing");
        assertThat(h.trials().get(3).message()).contains("OutOfMemoryError", "Java heap space");
    }

    @Test
    void aTunerObjectThatMinimisesMakesTheExperimentMinimise() throws Exception {
        double[] values = {3, 7, 1, 5, 4, 6};
        int[] n = {0};
        Experiment experiment = built(Experiment.builder().searchSpace(SPACE).tuner(minimisingTpe())
                .maxTrialNumber(values.length).trialFunction((p, r) -> {
                    synchronized (n) {
                        r.reportFinal(values[n[0]++]);
                    }
                }));

        assertThat(experiment.optimizeMode()).isEqualTo(OptimizeMode.MINIMIZE);
        ExperimentHandle h = finished(experiment.start());
        assertThat(h.bestTrial().orElseThrow().finalValue()).contains(1.0);
    }

    @Test
    void anOptimizeModeContradictingTheTunerObjectIsRefusedWithAClearMessage() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> Experiment.builder().searchSpace(SPACE).tuner(minimisingTpe())
                        .optimizeMode(OptimizeMode.MAXIMIZE).trialFunction((p, r) -> { }).build());

        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path().value()).isEqualTo("optimizeMode");
            assertThat(p.message()).contains("MAXIMIZE", "TpeTuner", "MINIMIZE");
        });
    }

    @Test
    void aCustomTunerLearnsTheExperimentsDirectionAndSeedBeforeItsSpace() throws Exception {
        List<String> calls = new ArrayList<>();
        Tuner custom = new Tuner() {
            private int next;

            @Override
            public void onStart(TunerContext context) {
                calls.add("start " + context.optimizeMode() + " " + context.seed());
            }

            @Override
            public void updateSearchSpace(SearchSpace space) {
                calls.add("space");
            }

            @Override
            public Suggestion suggest(TrialId trial) {
                return new Suggestion.Next(new Parameters(Map.of("x", 0.1 * next++)));
            }

            @Override
            public void onResult(TrialId trial, Parameters parameters, double value) {
            }
        };

        finished(built(Experiment.builder().searchSpace(SPACE).tuner(custom).optimizeMode(OptimizeMode.MINIMIZE)
                .seed(99).maxTrialNumber(1).trialFunction((p, r) -> r.reportFinal(1))).start());

        assertThat(calls).startsWith("start MINIMIZE 99", "space");
    }

    @Test
    void aSeedClassArgIsTheSeedTheExperimentReports() {
        Experiment experiment = built(Experiment.builder().searchSpace(SPACE).tuner("TPE", Map.of("seed", 42))
                .trialFunction((p, r) -> { }));

        assertThat(experiment.seed()).isEqualTo(42L);
    }

    @Test
    void aTunerByNameWithoutOptimizeModeFollowsTheExperiment() {
        Experiment maximising = built(Experiment.builder().searchSpace(SPACE).tuner("TPE", Map.of())
                .optimizeMode(OptimizeMode.MAXIMIZE).trialFunction((p, r) -> { }));
        Experiment byDefault = built(Experiment.builder().searchSpace(SPACE).tuner("TPE", Map.of())
                .trialFunction((p, r) -> { }));

        assertThat(maximising.optimizeMode()).isEqualTo(OptimizeMode.MAXIMIZE);
        assertThat(byDefault.optimizeMode()).isEqualTo(OptimizeMode.MINIMIZE);
        Problems problems = new Problems();
        Tuner tpe = new TpeTunerProvider().create(ConfigNode.empty(FieldPath.of("tuner.classArgs"), problems),
                TunerContext.of(1, OptimizeMode.MAXIMIZE));
        assertThat(problems.isEmpty()).isTrue();
        assertThat(tpe.optimizeMode()).contains(OptimizeMode.MAXIMIZE);
    }

    @Test
    void anAdvisorByNameReportsItsProblemsUnderAdvisor() {
        assertThatThrownBy(() -> Experiment.builder().searchSpace(SPACE).advisor("BOHB", Map.of("eta", 1))
                .trialFunction((p, r) -> { }).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("advisor.classArgs.eta: must be in 2..");
        assertThatThrownBy(() -> Experiment.builder().searchSpace(SPACE).advisor("TPE", Map.of())
                .trialFunction((p, r) -> { }).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("advisor.builtinAdvisorName: unknown advisor 'TPE'; known: [BOHB, Hyperband]");
        Experiment minimising = built(Experiment.builder().searchSpace(SPACE)
                .advisor("Hyperband", Map.of("optimize_mode", "minimize", "R", 27)).trialFunction((p, r) -> { }));
        assertThat(minimising.optimizeMode()).isEqualTo(OptimizeMode.MINIMIZE);
    }

    // ------------------------------------------------------------------ messages that point the right way

    @Test
    void aMisspeltParameterNameIsReportedAbsentWithTheNamesThereAre() {
        Parameters p = new Parameters(Map.of("lr", 0.1, "units", 32));

        assertThatThrownBy(() -> p.getDouble("learning_rate")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter 'learning_rate' is absent").hasMessageContaining("lr")
                .hasMessageContaining("units");
        assertThatThrownBy(() -> p.getString("unit")).hasMessageContaining("'unit' is absent");
    }

    private Path storedRun(Path work, String id) throws Exception {
        try (Experiment e = Experiment.builder().experimentId(id).workingDirectory(work).searchSpace(SPACE)
                .tuner("Random", Map.of()).maxTrialNumber(1).trialFunction((p, r) -> r.reportFinal(1)).build()) {
            finished(e.start());
        }
        return work.resolve(id);
    }

    @Test
    void resumingWithoutTheTrialFunctionSaysToPassItAgain(@TempDir Path work) throws Exception {
        Path dir = storedRun(work, "fn1");

        assertThatThrownBy(() -> Experiment.resume(dir).build()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("trainingService").hasMessageContaining(".trialFunction(f)");
    }

    @Test
    void aDuplicateIdSuggestsExperimentResumeInCode(@TempDir Path work) throws Exception {
        storedRun(work, "dup1");

        assertThatThrownBy(() -> Experiment.builder().experimentId("dup1").workingDirectory(work).searchSpace(SPACE)
                .tuner("Random", Map.of()).trialFunction((p, r) -> { }).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining("already exists")
                .hasMessageContaining("Experiment.resume(" + work.resolve("dup1") + ")");
    }

    @Test
    void resumingTheWorkingDirectoryInsteadOfTheExperimentsPointsToIt(@TempDir Path work) throws Exception {
        storedRun(work, "wd1");

        assertThatThrownBy(() -> Experiment.resume(work).build()).isInstanceOf(StoreException.class)
                .hasMessageContaining("no experiment database").hasMessageContaining("[wd1]")
                .hasMessageContaining("Experiment.resume(" + work.resolve("wd1") + ")");
    }

    /** What the experiment logs (slf4j-simple writes to {@code System.err}) while {@code run} runs. */
    private static String logged(ThrowingRunnable run) throws Exception {
        java.io.PrintStream old = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(old);
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aTrialThatReportsNothingIsLoggedOnceAtInfoAndAThrowingOnesStackTraceAtWarn() throws Exception {
        String log = logged(() -> finished(built(Experiment.builder().searchSpace(SPACE).tuner(new ScriptedTuner())
                .maxTrialNumber(2).trialFunction((p, r) -> {
                    if (p.getInt("i") == 1) {
                        throw new Error("trial one breaks");
                    }
                })).start()));

        assertThat(log.lines().filter(l -> l.contains("INFO") && l.contains("without reporting a final result")))
                .hasSize(1);
        assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains("its function threw"))).hasSize(1);
        assertThat(log).contains("java.lang.Error: trial one breaks").contains("\tat ");
    }
}
