package dev.hybrid.platform.slurm.internal;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Runs Slurm's commands ({@code sbatch}, {@code squeue}, {@code scancel}, {@code sacct}) where they work: on this
 * machine, or on a login node.
 */
public interface SlurmCommands {

    /** What a command printed and how it exited. */
    record Result(int exitCode, String stdout, String stderr) {
        public Result {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }

        public boolean ok() {
            return exitCode == 0;
        }

        /** The first line of stderr (or stdout), for an error message. */
        public String firstErrorLine() {
            String text = stderr.isBlank() ? stdout : stderr;
            return text.strip().lines().findFirst().orElse("exit code " + exitCode);
        }
    }

    /**
     * Runs the command {@code args} (its name first) and waits for it.
     *
     * @throws IOException when the command cannot be run at all (not installed, the connection is gone)
     */
    Result run(List<String> args) throws IOException;
}
