package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment survives its process: a child JVM runs {@code hybrid run}, is killed with SIGKILL (with its trial
 * processes, as a machine crash would) while trials run, and the experiment is resumed here to its end.
 */
class ResumeAfterCrashTest {
    private static final int MAX_TRIALS = 8;
    private static final Pattern PROGRESS = Pattern.compile("trials (\\d+) done, (\\d+) running");

    @TempDir
    Path dir;

    private static final String TRIAL = String.join("\n",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$NNI_SYS_DIR/.nni/metrics\"; }",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "for i in 0 1 2; do",
            "  frame \"{\\\"type\\\":\\\"PERIODICAL\\\",\\\"sequence\\\":$i,\\\"value\\\":\\\"$i\\\"}\"",
            "  sleep 0.15",
            "done",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "");

    @Test
    void anExperimentKilledWhileTrialsRunResumesToExactlyItsBudget() throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh",
                "trialConcurrency: 2",
                "maxTrialNumber: " + MAX_TRIALS,
                "tuner:",
                "  name: TestRecording",
                "trainingService:",
                "  platform: local",
                ""));
        Path work = dir.resolve("work");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.hybrid.cli.HybridCommand", "run", config.toString(), "--id", "crash1", "--work-dir",
                work.toString(), "--progress-interval", "0.1")
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> midway = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    Matcher m = PROGRESS.matcher(line);
                    if (m.find() && Integer.parseInt(m.group(1)) >= 2 && Integer.parseInt(m.group(2)) >= 1) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        }, command -> new Thread(command, "crash-test-reader").start());
        boolean reached;
        try {
            reached = midway.get(60, TimeUnit.SECONDS);
        } finally {
            // A crash of the whole machine: the experiment's JVM and its trials die at once, with no clean-up.
            List<ProcessHandle> trials = child.descendants().toList();
            child.destroyForcibly();
            trials.forEach(ProcessHandle::destroyForcibly);
            child.onExit().get(30, TimeUnit.SECONDS);
            for (ProcessHandle t : trials) {
                t.onExit().get(30, TimeUnit.SECONDS);
            }
        }
        synchronized (seen) {
            assertThat(reached).as(seen.toString()).isTrue();
        }
        Path experimentDir = work.resolve("crash1");
        List<StoredTrial> beforeResume = trials(experimentDir);
        assertThat(beforeResume).anyMatch(t -> !t.trial().isFinished());
        assertThat(beforeResume).filteredOn(t -> t.trial().status() == TrialStatus.SUCCEEDED).isNotEmpty();

        java.io.ByteArrayOutputStream listed = new java.io.ByteArrayOutputStream();
        new picocli.CommandLine(new ListCommand(new java.io.PrintStream(listed, true, StandardCharsets.UTF_8),
                System.err)).execute("--work-dir", work.toString());
        assertThat(listed.toString(StandardCharsets.UTF_8)).contains("crash1").contains("INTERRUPTED");

        ExperimentHandle handle;
        try (Experiment resumed = Experiment.resume(experimentDir).build()) {
            handle = resumed.start();
            assertThat(handle.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(handle.status()).isEqualTo(ExperimentStatus.DONE);
        }
        List<StoredTrial> after = trials(experimentDir);
        assertThat(after).hasSize(MAX_TRIALS);
        assertThat(after).allMatch(t -> t.trial().status() == TrialStatus.SUCCEEDED);
        assertThat(after).extracting(t -> t.trial().id()).doesNotHaveDuplicates();
        assertThat(after).extracting(t -> t.trial().sequence()).containsExactlyElementsOf(
                IntStream.range(0, MAX_TRIALS).boxed().toList());
        for (StoredTrial t : after) {
            assertThat(t.trial().intermediate()).extracting(m -> m.sequence()).containsExactly(0, 1, 2);
            assertThat(t.trial().finalMetric()).isPresent();
        }
        // Rerun trials kept their parameters.
        for (StoredTrial b : beforeResume) {
            StoredTrial a = after.stream().filter(t -> t.trial().id().equals(b.trial().id())).findFirst()
                    .orElseThrow();
            assertThat(a.trial().parameters()).isEqualTo(b.trial().parameters());
            assertThat(a.attempt()).isEqualTo(b.trial().isFinished() ? 1 : 2);
        }
        assertThat(metricRowsOfLatestAttempts(experimentDir)).isEqualTo(MAX_TRIALS * 4);

        Map<TrialId, Double> stored = new HashMap<>();
        after.forEach(t -> stored.put(t.trial().id(), t.trial().finalValue().orElseThrow()));
        assertThat(RecordingTunerProvider.LAST.get().history()).isEqualTo(stored);
        // the trials that ran again were announced to the tuner before it proposed anything, as waiting
        Map<TrialId, TrialStatus> rerun = new HashMap<>();
        beforeResume.stream().filter(t -> !t.trial().isFinished())
                .forEach(t -> rerun.put(t.trial().id(), TrialStatus.WAITING));
        assertThat(RecordingTunerProvider.LAST.get().priorTrials()).isEqualTo(rerun);
    }

    private static List<StoredTrial> trials(Path experimentDir) {
        try (SqliteExperimentStore s = SqliteExperimentStore.readOnly(experimentDir)) {
            s.open();
            return s.trials();
        }
    }

    private static int metricRowsOfLatestAttempts(Path experimentDir) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + SqliteExperimentStore.databaseFile(experimentDir));
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM metrics m JOIN trials t ON t.id = m.trial_id"
                     + " AND t.attempt = m.attempt WHERE m.type IN ('" + MetricType.PERIODICAL + "', '"
                     + MetricType.FINAL + "')")) {
            rs.next();
            return rs.getInt(1);
        }
    }

}
