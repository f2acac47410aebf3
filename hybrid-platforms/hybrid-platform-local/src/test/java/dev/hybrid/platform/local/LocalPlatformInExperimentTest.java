package dev.hybrid.platform.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.platform.HybridPlatform;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local platforms built in code and given to an experiment: alone, and in hybrid mode with one of them broken. */
class LocalPlatformInExperimentTest {
    private static final String REPORTS_ONE = "sleep 0.2; echo \"NNISDK_MEb'{\\\"type\\\": \\\"FINAL\\\", "
            + "\\\"sequence\\\": 0, \\\"value\\\": \\\"1.5\\\"}'\"";

    @Test
    void aBrokenLocalChildIsQuarantinedAndEachTrialIsRecordedWithItsChildsName(@TempDir Path dir) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Path work = dir.resolve("work");
        Path exp = work.resolve("hq");
        LocalPlatform broken = LocalPlatform.create(LocalPlatformOptions.of("hq", exp,
                "no-such-interpreter-here trial.py", code, 4));
        LocalPlatform good = LocalPlatform.create(LocalPlatformOptions.of("hq", exp, REPORTS_ONE, code, 1));
        // A long quarantine: no probe trial during this short experiment, however slow the machine.
        HybridPlatform hybrid = HybridPlatform.builder().add(broken).add(good)
                .quarantine(3, Duration.ofSeconds(60), Duration.ofMinutes(10)).build();

        try (Experiment experiment = Experiment.builder().searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                .tuner("Random", Map.of()).trialConcurrency(2).maxTrialNumber(10).workingDirectory(work)
                .experimentId("hq").platform(hybrid).build()) {
            ExperimentHandle h = experiment.start();
            assertThat(h.awaitCompletion(Duration.ofSeconds(120))).as("finished: " + h.summary()).isTrue();

            assertThat(h.status()).isEqualTo(ExperimentStatus.DONE);
            List<Trial> trials = h.trials();
            List<Trial> onBroken = trials.stream().filter(t -> t.platform().equals("local")).toList();
            List<Trial> onGood = trials.stream().filter(t -> t.platform().equals("local#2")).toList();
            assertThat(onBroken.size() + onGood.size()).isEqualTo(10);
            // Three fast failures, plus at most the one trial already on its way when the third failure arrived.
            assertThat(onBroken).hasSizeBetween(3, 4).allSatisfy(t -> assertThat(t.status())
                    .isEqualTo(TrialStatus.FAILED));
            assertThat(onGood).allSatisfy(t -> assertThat(t.status()).isEqualTo(TrialStatus.SUCCEEDED));
        }
    }

    @Test
    void aPlatformBuiltInCodeTakesTheExperimentsIdAndDirectory(@TempDir Path dir) throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        Path work = dir.resolve("work");
        String recordsItsEnvironment = "echo \"$NNI_EXP_ID\" > \"$NNI_SYS_DIR/exp-id\"; " + REPORTS_ONE;
        // Options that name another id and directory: the experiment's win, so trials and the store agree.
        LocalPlatform stale = LocalPlatform.create(LocalPlatformOptions.of("platform-id", dir.resolve("elsewhere"),
                recordsItsEnvironment, code, 1));
        LocalPlatform plain = LocalPlatform.create(LocalPlatformOptions.of(recordsItsEnvironment, code, 1));

        for (LocalPlatform platform : List.of(stale, plain)) {
            String id = platform == stale ? "bound1" : "bound2";
            try (Experiment experiment = Experiment.builder().searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                    .tuner("Random", Map.of()).maxTrialNumber(1).workingDirectory(work).experimentId(id)
                    .platform(platform).build()) {
                ExperimentHandle h = experiment.start();
                assertThat(h.awaitCompletion(Duration.ofSeconds(60))).as("finished: " + h.summary()).isTrue();

                Trial trial = h.trials().get(0);
                assertThat(trial.status()).isEqualTo(TrialStatus.SUCCEEDED);
                Path sysDir = work.resolve(id).resolve("trials").resolve(trial.id().value());
                assertThat(Files.readString(sysDir.resolve("exp-id")).strip()).isEqualTo(id);
            }
        }
        assertThat(dir.resolve("elsewhere")).doesNotExist();
    }
}
