package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.space.Parameters;
import dev.hybrid.testkit.RecordingSink;
import dev.hybrid.trial.TrialEvent;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Null trials per minute per allocation on the test cluster: one job per trial against reuse mode (pilot jobs). Not
 * part of {@code mvn verify} (the class name is not a test's); run it with
 * {@code mvn -B -q -pl hybrid-platforms/hybrid-platform-slurm -am verify -Dtest=SlurmReuseBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmReuseBenchmark {
    private static final int TRIALS = 40;
    private static final int SLOTS = 2;

    @TempDir
    Path dir;

    @Test
    void nullTrialsPerMinute() throws Exception {
        Path code = Files.createDirectories(dir.resolve("code"));
        double perJob = run(code, "jobs", false);
        double reuse = run(code, "pilots", true);
        System.out.printf("%d null trials, %d at a time: one job per trial %.1f trials/min (%.1f per allocation);"
                + " reuse mode %.1f trials/min (%.1f per allocation); %.1fx%n", TRIALS, SLOTS, perJob, perJob / SLOTS,
                reuse, reuse / SLOTS, reuse / perJob);
    }

    private double run(Path code, String id, boolean reuse) {
        SlurmPlatformOptions options = SlurmPlatformOptions.of("true", code, SLOTS)
                .withExperiment("bench-" + id, dir.resolve(id))
                .withCommandEnvironment(SlurmCluster.current().environment())
                .withPollInterval(Duration.ofMillis(100))
                .withReuseMode(reuse);
        RecordingSink sink = new RecordingSink();
        try (SlurmPlatform p = SlurmPlatform.create(options)) {
            p.start(sink);
            long start = System.nanoTime();
            int submitted = 0;
            for (; submitted < SLOTS; submitted++) {
                p.submit(spec(submitted));
            }
            for (int ended = 0; ended < TRIALS; ended++) {
                TrialEvent.Ended e = (TrialEvent.Ended) sink.awaitEvent(ev -> ev instanceof TrialEvent.Ended
                        && !counted.contains(ev.trial()), Duration.ofSeconds(120), "an end");
                counted.add(e.trial());
                assertThat(e.status()).isEqualTo(TrialStatus.SUCCEEDED);
                if (submitted < TRIALS) {
                    p.submit(spec(submitted++));
                }
            }
            double minutes = (System.nanoTime() - start) / 60e9;
            counted.clear();
            return TRIALS / minutes;
        }
    }

    private final java.util.Set<TrialId> counted = new java.util.HashSet<>();

    private static TrialSpec spec(int i) {
        return new TrialSpec(TrialId.of("t" + i), i, i, new Parameters(Map.of("i", i)));
    }
}
