package dev.hybrid.platform.slurm.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Runs Slurm's commands ({@code sbatch}, {@code squeue}, {@code scancel}, {@code sacct}) where they work: on this
 * machine, or on a login node.
 */
public interface SlurmCommands {
    /** The exit code of {@link #submitOnce} when it cannot list the experiment's jobs: nothing was submitted. */
    int CANNOT_LIST = 75;
    /**
     * Submits at most one job per token ({@code $1}, the job's comment): prints the id of the experiment's job
     * ({@code $2}, its name) that already carries it, else runs the rest of the arguments ({@code sbatch ...}).
     */
    String SUBMIT_ONCE = String.join("\n",
            "tok=$1; name=$2; shift 2",
            "q=$(squeue -h -t all --name=\"$name\" -o '%i|%k') ||"
                    + " { echo \"cannot list the jobs named $name\" >&2; exit " + CANNOT_LIST + "; }",
            "id=$(printf '%s\\n' \"$q\" | awk -F'|' -v t=\"$tok\" '$2 == t { print $1; exit }')",
            "if [ -n \"$id\" ]; then echo \"$id\"; exit 0; fi",
            "exec \"$@\"");

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

    /**
     * Submits a batch job named {@code jobName} whose comment is {@code token}, unless a job of that name already
     * carries that comment: then prints that job's id instead, as {@code sbatch --parsable} would print a new one. So a
     * submission run again after its reply was lost never makes a second job. {@code sbatchArgs} are sbatch's further
     * flags and the script, last. This default runs the check and {@code sbatch} as one shell script
     * ({@link #SUBMIT_ONCE}) where the commands run, so that one round trip does both.
     *
     * @return {@code sbatch}'s result, or exit code {@link #CANNOT_LIST} when the jobs could not be listed
     * @throws IOException when the commands cannot be run at all, or the reply was lost (the job may exist)
     */
    default Result submitOnce(String token, String jobName, List<String> sbatchArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("sh", "-c", SUBMIT_ONCE, "submit-once", token, jobName, "sbatch",
                "--parsable", "--job-name=" + jobName, "--comment=" + token));
        args.addAll(sbatchArgs);
        return run(args);
    }
}
