package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.ExperimentStatus;
import dev.hybrid.store.ExperimentChange;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid update}, {@code hybrid cancel} and {@code hybrid stop} steering an experiment that {@code hybrid run}
 * runs in another JVM, with real local trials: the requests go through the experiment's store.
 */
class SteeringCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Process child;
    private CapturedCommandLine.Result last;

    @AfterEach
    void endChild() throws Exception {
        if (child != null && child.isAlive()) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Runs the command line in this JVM with its output captured; returns its exit code. */
    private int hybrid(String... args) {
        last = CapturedCommandLine.run(args);
        return last.exitCode();
    }

    private String stdout() {
        return last.out();
    }

    private String stderr() {
        return last.err();
    }

    /** Reads the stored trials until they satisfy {@code condition}, or fails with what was seen. */
    private List<StoredTrial> awaitTrials(Path experimentDir, Predicate<List<StoredTrial>> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<StoredTrial> seen = List.of();
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(SqliteExperimentStore.databaseFile(experimentDir))) {
                try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
                    store.open();
                    seen = store.trials();
                } catch (dev.hybrid.store.StoreException e) {
                    seen = List.of(); // the child is still creating it
                }
                if (condition.test(seen)) {
                    return seen;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("trials did not reach the expected state within " + WAIT + ": " + seen);
    }

    private static long count(List<StoredTrial> trials, TrialStatus status) {
        return trials.stream().filter(t -> t.trial().status() == status).count();
    }

    @Test
    void updateCancelAndStopSteerAnExperimentThatAnotherJvmRuns() throws Exception {
        // Each trial runs until the test lets it go, so that the test decides what runs when.
        Files.writeString(dir.resolve("trial.sh"), "while [ ! -e '" + dir.resolve("release") + "' ]; do sleep 0.05;"
                + " done\n");
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh",
                "trialConcurrency: 1",
                "maxTrialNumber: 1",
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  platform: local",
                ""));
        Path work = dir.resolve("work");
        Path experimentDir = work.resolve("steer1");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.hybrid.cli.HybridCommand", "run", config.toString(), "--id", "steer1", "--work-dir",
                work.toString(), "--progress-interval", "0.2")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        String w = work.toString();

        String first = awaitTrials(experimentDir, t -> count(t, TrialStatus.RUNNING) == 1).get(0).trial().id()
                .value();
        assertThat(hybrid("update", "steer1", "--max-trial-number", "3", "--work-dir", w)).as(stderr()).isZero();
        assertThat(stdout()).contains("experiment steer1: maxTrialNumber set to 3");
        assertThat(hybrid("update", "steer1", "--trial-concurrency", "2", "--work-dir", w)).as(stderr()).isZero();
        awaitTrials(experimentDir, t -> count(t, TrialStatus.RUNNING) == 2);

        assertThat(hybrid("cancel", "steer1", first, "--work-dir", w)).as(stderr()).isZero();
        assertThat(stdout()).contains("trial " + first + " cancelled");
        List<StoredTrial> trials = awaitTrials(experimentDir, t -> t.size() == 3 && count(t, TrialStatus.RUNNING) == 2);
        assertThat(trials.get(0).trial().status()).isEqualTo(TrialStatus.USER_CANCELED);
        assertThat(trials.get(0).trial().message()).isEqualTo("cancelled by cli");

        assertThat(hybrid("cancel", "steer1", "nope", "--work-dir", w)).isEqualTo(1);
        assertThat(stderr().strip()).isEqualTo("hybrid: experiment steer1 refused cancelTrial: the experiment has no "
                + "trial nope");
        assertThat(hybrid("update", "steer1", "--max-trial-number", "2", "--work-dir", w)).isEqualTo(1);
        assertThat(stderr()).contains("must not be below the 3 trials already submitted, was 2");
        assertThat(hybrid("update", "steer1", "--max-trial-number", "0", "--work-dir", w)).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("hybrid: maxTrialNumber must be >= 1, was 0");
        assertThat(hybrid("update", "steer1", "--max-exec-duration", "soon", "--work-dir", w)).isEqualTo(2);
        assertThat(stderr()).contains("--max-exec-duration must be a duration such as 30m or 2h, was 'soon'");
        assertThat(hybrid("update", "steer1", "--max-exec-duration", "3h", "--work-dir", w)).as(stderr()).isZero();

        assertThat(hybrid("stop", "steer1", "--work-dir", w)).as(stderr()).isZero();
        assertThat(stdout()).contains("experiment steer1 stopped");
        assertThat(child.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isEqualTo(1);

        try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(experimentDir)) {
            store.open();
            assertThat(store.experiment().orElseThrow().status()).isEqualTo(ExperimentStatus.STOPPED);
            assertThat(store.experiment().orElseThrow().configJson()).contains("\"maxTrialNumber\":3")
                    .contains("\"trialConcurrency\":2").contains("\"maxExecDuration\":\"PT3H\"");
            assertThat(store.trials()).hasSize(3).extracting(t -> t.trial().status())
                    .containsOnly(TrialStatus.USER_CANCELED);
            assertThat(store.changes()).extracting(ExperimentChange::field, ExperimentChange::oldValue,
                    ExperimentChange::newValue, ExperimentChange::source).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("maxTrialNumber", "1", "3", "cli"),
                    org.assertj.core.groups.Tuple.tuple("trialConcurrency", "1", "2", "cli"),
                    org.assertj.core.groups.Tuple.tuple("trial " + first, "RUNNING", "USER_CANCELED", "cli"),
                    org.assertj.core.groups.Tuple.tuple("maxExecDuration", "", "PT3H", "cli"),
                    org.assertj.core.groups.Tuple.tuple("status", "NO_MORE_TRIAL", "STOPPING", "cli"));
        }

        // A resume of the config-based experiment continues with the limits it was steered to.
        try (dev.hybrid.Experiment resumed = dev.hybrid.Experiment.resume(experimentDir).build()) {
            assertThat(resumed.maxTrialNumber()).contains(3);
            assertThat(resumed.maxExecDuration()).contains(Duration.ofHours(3));
        }
        assertThat(hybrid("list", "--work-dir", w)).isZero();
        assertThat(stdout()).containsPattern("steer1 +- +STOPPED +3 +3 +3h +2 ");
        assertThat(hybrid("stop", "steer1", "--work-dir", w)).isEqualTo(1);
        assertThat(stderr().strip()).isEqualTo("hybrid: experiment steer1 is not running (it ended STOPPED)");
        assertThat(hybrid("update", "steer1", "--max-trial-number", "5", "--work-dir", w)).isEqualTo(1);
        assertThat(stderr().strip()).isEqualTo("hybrid: experiment steer1 is not running (it ended STOPPED); "
                + "continue it with: hybrid resume steer1 --max-trial-number 5");
        assertThat(hybrid("cancel", "nothere", "abc", "--work-dir", w)).isEqualTo(1);
        assertThat(stderr()).contains("unknown experiment 'nothere'");
    }
}
