package dev.hybrid.platform.slurm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the Slurm commands as processes on this machine, with extra environment variables ({@code SLURM_CONF}). */
public final class LocalSlurmCommands implements SlurmCommands {
    private final Map<String, String> environment;
    private final Duration timeout;

    public LocalSlurmCommands(Map<String, String> environment, Duration timeout) {
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    @Override
    public Result run(List<String> args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // stderr goes to a file, so that neither pipe can fill up while the other is read.
        Path err = Files.createTempFile("hybrid-slurm-", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(args.get(0) + " did not answer within " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(args.get(0) + " was interrupted", e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
