package dev.hybrid.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentListener;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.platform.remote.OpenSshServer;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hybrid mode end to end: the seed's config shape ({@code trainingServicePlatform: hybrid}, {@code [local, remote]},
 * a {@code machineList}) with its machine a real OpenSSH server on a loopback port. Skipped where
 * {@code /usr/sbin/sshd} is not installed; {@code .ci/run} installs it.
 */
@Tag("openssh")
class HybridModeIntegrationTest {
    private static final Duration WAIT = Duration.ofMinutes(2);

    /**
     * Reads x, takes a moment (so that capacity matters), reports x as the final result. A trial on the remote machine
     * leaves a marker; a local trial waits (up to a minute) until one exists, so local cannot run the whole experiment
     * before the SSH machine is ready, however slowly it comes up on a loaded machine.
     */
    private static final String TRIAL = String.join("\n",
            "x=$(sed 's/.*\"x\": *\\([-0-9.eE]*\\).*/\\1/' \"$NNI_SYS_DIR/parameter.cfg\")",
            "if [ \"$NNI_PLATFORM\" = remote ]; then touch \"$REMOTE_MARKER\"; else",
            "  n=0; while [ ! -e \"$REMOTE_MARKER\" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done",
            "fi",
            "sleep \"${TRIAL_SECONDS:-0.2}\"",
            "j=\"{\\\"type\\\":\\\"FINAL\\\",\\\"sequence\\\":0,\\\"value\\\":\\\"$x\\\"}\"",
            "printf 'ME%06d%s\\n' \"$(( ${#j} + 1 ))\" \"$j\" >> \"$NNI_SYS_DIR/.nni/metrics\"",
            "");

    @TempDir
    Path dir;
    private Path key;
    private OpenSshServer sshd;
    private final List<Experiment> experiments = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        OpenSshServer.assumeInstalled();
        key = OpenSshServer.keygen(dir.resolve("id_ed25519"));
        sshd = OpenSshServer.start(dir.resolve("sshd"), key);
        Files.createDirectories(dir.resolve("code"));
        Files.writeString(dir.resolve("code/trial.sh"), TRIAL);
        Files.writeString(dir.resolve("code/search_space.json"),
                "{\"x\": {\"_type\": \"uniform\", \"_value\": [0, 1]}}");
    }

    @AfterEach
    void stop() throws Exception {
        experiments.forEach(Experiment::close);
        if (sshd != null) {
            sshd.close();
        }
    }

    /** The seed's config, with the machine on loopback and {@code extra} lines appended. */
    private Path seedConfig(int trials, int concurrency, String trialSeconds, String hybridExtra, String remoteExtra)
            throws Exception {
        Path config = dir.resolve("code/config.yml");
        Files.writeString(config, String.join("\n",
                "trainingServicePlatform: hybrid",
                "trialConcurrency: " + concurrency,
                "maxTrialNum: " + trials,
                "maxExecDuration: 1h",
                "searchSpacePath: search_space.json",
                "tuner: {builtinTunerName: TPE, classArgs: {optimize_mode: maximize, seed: 5}}",
                "trial: {command: REMOTE_MARKER=" + dir.resolve("remote-ran") + " TRIAL_SECONDS=" + trialSeconds
                        + " sh trial.sh, codeDir: ., gpuNum: 0}",
                "hybridConfig:",
                "  trainingServicePlatforms: [local, remote]",
                hybridExtra,
                "remoteConfig:",
                "  knownHostsFile: " + dir.resolve("known_hosts"),
                remoteExtra,
                "machineList:",
                "  - ip: 127.0.0.1",
                "    port: " + sshd.port(),
                "    username: " + OpenSshServer.user(),
                "    sshKeyPath: " + key,
                "    maxConcurrentTrials: 2",
                "    remoteDirectory: " + dir.resolve("machine"),
                ""));
        return config;
    }

    private ExperimentHandle start(Path config, ExperimentListener listener) {
        Experiment e = Experiment.builder().config(ConfigLoader.load(config)).workingDirectory(dir.resolve("work"))
                .listener(listener).build();
        experiments.add(e);
        return e.start();
    }

    private static ExperimentHandle finished(ExperimentHandle h) throws InterruptedException {
        assertThat(h.awaitCompletion(WAIT)).as("experiment finished; now %s", h.summary()).isTrue();
        return h;
    }

    @Test
    void theSeedConfigRunsTrialsOnLocalAndRemoteEachRecordedWithItsPlatform() throws Exception {
        ExperimentHandle h = finished(start(seedConfig(12, 4, "1", "  maxTrialConcurrency: {local: 2}", ""),
                new ExperimentListener() {
                }));

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(12).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
        assertThat(h.trials()).extracting(Trial::platform).contains("local", "remote").containsOnly("local", "remote");
        assertThat(h.trials()).allSatisfy(t -> assertThat(t.finalValue()).isPresent());
    }

    @Test
    void withLocalCapacityOneAndRemoteTwoNeitherRunsMoreThanItsCapacityAndBothRunTrials() throws Exception {
        // How the trials split between the two depends on how fast each runs one, which a loaded machine changes;
        // what must hold is each child's capacity, and that both take part.
        Map<String, Integer> running = new HashMap<>();
        Map<String, Integer> most = new HashMap<>();
        ExperimentListener watch = new ExperimentListener() {
            @Override
            public void onTrialStarted(Trial trial) {
                int now = running.merge(trial.platform(), 1, Integer::sum);
                most.merge(trial.platform(), now, Math::max);
            }

            @Override
            public void onTrialEnded(Trial trial) {
                if (trial.started().isPresent()) {
                    running.merge(trial.platform(), -1, Integer::sum);
                }
            }
        };
        ExperimentHandle h = finished(start(seedConfig(30, 3, "0.3", "  maxTrialConcurrency: {local: 1}", ""), watch));

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        long local = h.trials().stream().filter(t -> t.platform().equals("local")).count();
        long remote = h.trials().stream().filter(t -> t.platform().equals("remote")).count();
        assertThat(local + remote).isEqualTo(30);
        assertThat(local).as("trials on local").isPositive();
        assertThat(remote).as("trials on remote").isPositive();
        assertThat(most).as("most trials running at once per platform")
                .containsEntry("local", 1).containsEntry("remote", 2);
    }

    @Test
    void killingTheSshServerMidRunFinishesOnLocalWithEveryTrialAccountedFor() throws Exception {
        CountDownLatch remoteRunning = new CountDownLatch(2);
        ExperimentListener watch = new ExperimentListener() {
            @Override
            public void onTrialStarted(Trial trial) {
                if (trial.platform().equals("remote")) {
                    remoteRunning.countDown();
                }
            }
        };
        ExperimentHandle h = start(seedConfig(16, 3, "1", "  maxTrialConcurrency: {local: 1}",
                "  machineLostAfter: 2s"), watch);
        assertThat(remoteRunning.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        sshd.kill();
        finished(h);

        assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
        assertThat(h.trials()).hasSize(16);
        assertThat(h.trials()).noneMatch(t -> t.status() == TrialStatus.WAITING || t.status() == TrialStatus.RUNNING);
        // Trials lost with the machine ran again on local: the tuner got maxTrialNum final results.
        assertThat(h.trials()).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
        assertThat(h.trials().stream().filter(t -> t.finalValue().isPresent()).count()).isEqualTo(16);
        assertThat(h.trials()).extracting(Trial::platform).contains("local");
    }
}
