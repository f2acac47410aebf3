package dev.hybrid.platform.slurm.internal;

import dev.hybrid.trial.TrialStatus;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * How a trial ends once the Slurm job that ran it has ended: its own job (one job per trial), or the pilot job it ran
 * in (reuse mode). A job cancelled through the platform is {@code USER_CANCELED}; one cancelled by anyone else or
 * preempted is {@code SYS_CANCELED}, so that hybrid mode runs the trial again elsewhere; any other end that is not
 * {@code COMPLETED} is {@code FAILED} with Slurm's state in the message. In a pilot, a trial cut short by what
 * happened to its allocation (time limit, node failure, preemption) was lost, not failed: {@code SYS_CANCELED}.
 *
 * @param status the trial's end status
 * @param message why, for anything but {@code SUCCEEDED} and {@code USER_CANCELED}; names the Slurm state
 */
public record TrialEnd(TrialStatus status, String message) {
    /** Exit codes above this one are a signal's (128 + signal number), as shells report them. */
    private static final int SIGNALLED = 128;

    public TrialEnd {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
    }

    /**
     * The end of a trial whose own job {@code jobId} ended in {@code state} ({@code raw} as Slurm spelled it).
     *
     * @param exit the trial command's exit code from its {@code .nni/state}, when the batch script wrote one
     * @param exitMessage the message for a non-zero exit code (with the end of the trial's stderr)
     */
    public static TrialEnd ofJob(String jobId, JobState state, String raw, boolean cancelRequested,
            Optional<Integer> exit, IntFunction<String> exitMessage) {
        String job = "Slurm job " + jobId;
        if (cancelRequested && state != JobState.COMPLETED) {
            return new TrialEnd(TrialStatus.USER_CANCELED, "");
        }
        return switch (state) {
            case COMPLETED -> new TrialEnd(TrialStatus.SUCCEEDED, "");
            case CANCELLED -> new TrialEnd(TrialStatus.SYS_CANCELED, job + " was cancelled outside this experiment ("
                    + raw + ")");
            case PREEMPTED -> new TrialEnd(TrialStatus.SYS_CANCELED, job + " was preempted (PREEMPTED)");
            case FAILED -> new TrialEnd(TrialStatus.FAILED, job + " FAILED: " + exit.map(exitMessage::apply)
                    .orElse("the batch script did not run to its end"));
            case TIMEOUT -> new TrialEnd(TrialStatus.FAILED, job + " ended TIMEOUT: it ran past its time limit");
            case OUT_OF_MEMORY -> new TrialEnd(TrialStatus.FAILED, job + " ended OUT_OF_MEMORY: it used more memory"
                    + " than it asked for");
            case NODE_FAIL -> new TrialEnd(TrialStatus.FAILED, job + " ended NODE_FAIL: its node failed");
            case OTHER -> new TrialEnd(TrialStatus.FAILED, job + " left Slurm's queue with no end state Slurm or its"
                    + " folder could tell");
            default -> new TrialEnd(TrialStatus.FAILED, job + " ended " + raw);
        };
    }

    /**
     * The end of a trial that was running in pilot job {@code jobId} when the pilot ended in {@code state}.
     *
     * @param exit the trial command's exit code, when its {@code .nni/state} was written (by the trial's script, or by
     *     the pilot when the script was killed)
     * @param exitMessage the message for a non-zero exit code
     */
    public static TrialEnd ofPilot(String jobId, JobState state, String raw, boolean cancelRequested,
            Optional<Integer> exit, IntFunction<String> exitMessage) {
        String pilot = "pilot Slurm job " + jobId;
        boolean lost = switch (state) {
            case CANCELLED, PREEMPTED, TIMEOUT, NODE_FAIL, BOOT_FAIL, DEADLINE -> true;
            default -> false;
        };
        // A trial killed with its allocation exits by a signal (or writes nothing); a code of its own stands.
        if (exit.isPresent() && (exit.get() == 0 || !lost || exit.get() < SIGNALLED)) {
            return ofExitCode(exit.get(), cancelRequested, exitMessage);
        }
        if (cancelRequested) {
            return new TrialEnd(TrialStatus.USER_CANCELED, "");
        }
        if (!lost) {
            return new TrialEnd(TrialStatus.FAILED, pilot + " ended " + raw + " while the trial ran");
        }
        String why = switch (state) {
            case CANCELLED -> "was cancelled outside this experiment (" + raw + ")";
            case PREEMPTED -> "was preempted (PREEMPTED)";
            case TIMEOUT -> "reached its time limit (TIMEOUT)";
            case NODE_FAIL -> "lost its node (NODE_FAIL)";
            default -> "ended " + raw;
        };
        return new TrialEnd(TrialStatus.SYS_CANCELED, pilot + " " + why + " while the trial ran");
    }

    /** The end of a trial whose command exited with {@code exit}. */
    public static TrialEnd ofExitCode(int exit, boolean cancelRequested, IntFunction<String> exitMessage) {
        if (exit == 0) {
            return new TrialEnd(TrialStatus.SUCCEEDED, "");
        }
        if (cancelRequested) {
            return new TrialEnd(TrialStatus.USER_CANCELED, "");
        }
        return new TrialEnd(TrialStatus.FAILED, exitMessage.apply(exit));
    }
}
