package dev.hybrid.platform.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hybrid.config.Secret;
import dev.hybrid.platform.slurm.internal.LocalSlurmCommands;
import dev.hybrid.platform.slurm.internal.RestSlurmCommands;
import dev.hybrid.platform.slurm.internal.SlurmCommands;
import dev.hybrid.platform.slurm.internal.SlurmRestClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cost of the platform's two Slurm calls through each route on the test cluster: one status poll of all the
 * experiment's jobs ({@code squeue} process against one {@code GET jobs}) and one submit ({@code sbatch} process
 * against one {@code POST job/submit}). Not part of {@code mvn verify} (the class name is not a test's); run it with
 * {@code mvn -B -q -pl hybrid-platforms/hybrid-platform-slurm -am verify -Dtest=SlurmRestBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@ExtendWith(SlurmCluster.Extension.class)
class SlurmRestBenchmark {
    private static final int POLLS = 50;
    private static final int SUBMITS = 10;

    @Test
    void pollAndSubmitThroughTheCommandsAndThroughSlurmrestd() throws Exception {
        SlurmCluster.Rest rest = SlurmCluster.current().rest();
        java.nio.file.Path script = java.nio.file.Files.createTempFile("bench-", ".sh");
        java.nio.file.Files.writeString(script, "#!/bin/bash\ntrue\n");
        SlurmCommands cli = new LocalSlurmCommands(SlurmCluster.current().environment(), Duration.ofSeconds(60));
        try (SlurmRestClient client = new SlurmRestClient(SlurmRestApi.withToken(rest.url(), rest.user(),
                Secret.of(rest.token())), Duration.ofSeconds(60))) {
            SlurmCommands api = new RestSlurmCommands(client);
            List<String> squeue = List.of("squeue", "-h", "-t", "all", "--name=hybrid-bench", "-o", "%i|%T|%r");
            List<String> sbatch = List.of("sbatch", "--parsable", "--job-name=hybrid-bench", "--output=/dev/null",
                    "--chdir=/tmp", "--time=1", script.toString());
            double[] cliSubmit = time(cli, sbatch, SUBMITS);
            double[] restSubmit = time(api, sbatch, SUBMITS);
            double[] cliPoll = time(cli, squeue, POLLS);
            double[] restPoll = time(api, squeue, POLLS);
            System.out.printf("%d jobs in the queue; median (min-max) ms: poll squeue %.1f (%.1f-%.1f), GET jobs %.1f"
                    + " (%.1f-%.1f); submit sbatch %.1f (%.1f-%.1f), POST job/submit %.1f (%.1f-%.1f)%n",
                    2 * SUBMITS, cliPoll[0], cliPoll[1], cliPoll[2], restPoll[0], restPoll[1], restPoll[2],
                    cliSubmit[0], cliSubmit[1], cliSubmit[2], restSubmit[0], restSubmit[1], restSubmit[2]);
        } finally {
            java.nio.file.Files.deleteIfExists(script);
        }
    }

    /** Median, min and max milliseconds of {@code n} runs of {@code args}, each of which must succeed. */
    private static double[] time(SlurmCommands commands, List<String> args, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            SlurmCommands.Result r = commands.run(args);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            assertThat(r.ok()).as(r.stderr()).isTrue();
        }
        Arrays.sort(ms);
        return new double[] {ms[n / 2], ms[0], ms[n - 1]};
    }
}
