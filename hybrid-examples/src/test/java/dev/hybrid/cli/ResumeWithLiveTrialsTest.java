package dev.hybrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.TrialStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hybrid run} killed with SIGKILL while its trials run, and only the JVM: the trial processes live on. An
 * immediate resume must end them before it runs those trials again: never two live processes for one trial, never
 * a metric of the earlier attempt recorded for the new one.
 */
class ResumeWithLiveTrialsTest {
    private static final int MAX_TRIALS = 4;
    private static final Pattern PROGRESS = Pattern.compile("trials (\\d+) done, (\\d+) running");

    @TempDir
    Path dir;

    private List<ProcessHandle> orphans = List.of();

    @AfterEach
    void killLeftovers() {
        orphans.forEach(ProcessHandle::destroyForcibly);
    }

    // Each process notes whether an earlier process of its trial is still alive, then reports its own pid as final.
    private static final String TRIAL = String.join("\n",
            "d=$NNI_SYS_DIR",
            "frame() { n=$(( ${#1} + 1 )); printf 'ME%06d%s\\n' \"$n\" \"$1\" >> \"$d/.nni/metrics\"; }",
            "if [ -f \"$d/pids\" ]; then",
            // A killed process whose parent died is a zombie until the init process reaps it (seconds, on some
            // machines): it runs nothing, so only a process in another state counts as running beside this one.
            "  for p in $(cat \"$d/pids\"); do",
            "    s=$(sed 's/.*) //' \"/proc/$p/stat\" 2>/dev/null | cut -d' ' -f1)",
            "    [ -n \"$s\" ] && [ \"$s\" != Z ] && [ \"$s\" != X ] && echo \"$p $s\" >> \"$d/doubled\"",
            "  done",
            "fi",
            "echo $$ >> \"$d/pids\"",
            "frame \"{\\\"type\\\":\\\"PERIODICAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"1\\\"}\"",
            "sleep 3",
            "frame \"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$$\\\"}\"",
            "");

    @Test
    void resumeEndsTheTrialProcessesOfTheKilledRunBeforeRunningTheirTrialsAgain() throws Exception {
        Files.writeString(dir.resolve("trial.sh"), TRIAL);
        Files.writeString(dir.resolve("search_space.json"), "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "searchSpaceFile: search_space.json",
                "trialCommand: sh trial.sh",
                "trialConcurrency: 2",
                "maxTrialNumber: " + MAX_TRIALS,
                "tuner:",
                "  name: Random",
                "trainingService:",
                "  platform: local",
                ""));
        Path work = dir.resolve("work");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.hybrid.cli.HybridCommand", "run", config.toString(), "--id", "live1", "--work-dir",
                work.toString(), "--progress-interval", "0.1")
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        CompletableFuture<Boolean> running = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                    Matcher m = PROGRESS.matcher(line);
                    if (m.find() && Integer.parseInt(m.group(2)) >= 2) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        }, command -> new Thread(command, "live-test-reader").start());
        boolean reached;
        try {
            reached = running.get(60, TimeUnit.SECONDS);
        } finally {
            // Only the JVM dies (kill -9): its trial processes, in sessions of their own, live on.
            orphans = child.descendants().toList();
            child.destroyForcibly();
            child.onExit().get(30, TimeUnit.SECONDS);
        }
        synchronized (seen) {
            assertThat(reached).as(seen.toString()).isTrue();
        }
        assertThat(orphans).as("trial processes of the killed run").anyMatch(ProcessHandle::isAlive);

        Path experimentDir = work.resolve("live1");
        try (Experiment resumed = Experiment.resume(experimentDir).build()) {
            ExperimentHandle handle = resumed.start();
            assertThat(handle.awaitCompletion(Duration.ofSeconds(60))).isTrue();
            assertThat(handle.status()).isEqualTo(ExperimentStatus.DONE);
        }
        for (ProcessHandle h : orphans) {
            assertThat(h.isAlive()).as("process %d of the killed run", h.pid()).isFalse();
        }
        List<StoredTrial> trials;
        try (SqliteExperimentStore s = SqliteExperimentStore.readOnly(experimentDir)) {
            s.open();
            trials = s.trials();
        }
        assertThat(trials).hasSize(MAX_TRIALS).allMatch(t -> t.trial().status() == TrialStatus.SUCCEEDED);
        assertThat(trials).anyMatch(t -> t.attempt() == 2);
        for (StoredTrial t : trials) {
            Path sys = experimentDir.resolve("trials").resolve(t.trial().id().value());
            assertThat(sys.resolve("doubled")).as("trial %s ran beside its earlier attempt", t.trial().id())
                    .doesNotExist();
            List<String> pids = Files.readAllLines(sys.resolve("pids"));
            // The final result is the one of the last process that ran the trial.
            assertThat(t.trial().finalValue()).as("trial %s", t.trial().id())
                    .contains(Double.parseDouble(pids.get(pids.size() - 1)));
        }
    }
}
