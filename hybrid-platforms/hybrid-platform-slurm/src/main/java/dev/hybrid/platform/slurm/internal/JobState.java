package dev.hybrid.platform.slurm.internal;

import java.util.Locale;
import java.util.Optional;

/** A Slurm job's state as {@code squeue -o %T} and {@code sacct -o State} print it, in the groups Hybrid acts on. */
public enum JobState {
    PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, PREEMPTED,
    BOOT_FAIL, DEADLINE, OTHER;

    /**
     * The state named by {@code text}: {@code sacct} may add words ({@code CANCELLED by 0}), and states Hybrid
     * treats alike are folded together (CONFIGURING, REQUEUED, RESIZING and SUSPENDED wait or run on).
     */
    public static JobState parse(String text) {
        String word = text.strip().split("[\\s+]", 2)[0].toUpperCase(Locale.ROOT);
        return switch (word) {
            case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING", "RESV_DEL_HOLD" -> PENDING;
            case "RUNNING", "SUSPENDED", "RESIZING", "STOPPED", "SIGNALING", "STAGE_OUT" -> RUNNING;
            case "COMPLETING" -> COMPLETING;
            case "COMPLETED" -> COMPLETED;
            case "FAILED" -> FAILED;
            case "CANCELLED" -> CANCELLED;
            case "TIMEOUT" -> TIMEOUT;
            case "OUT_OF_MEMORY" -> OUT_OF_MEMORY;
            case "NODE_FAIL" -> NODE_FAIL;
            case "PREEMPTED" -> PREEMPTED;
            case "BOOT_FAIL" -> BOOT_FAIL;
            case "DEADLINE" -> DEADLINE;
            default -> OTHER;
        };
    }

    /** Whether the job has ended (its batch script will not run again). */
    public boolean isFinal() {
        return switch (this) {
            case PENDING, RUNNING, COMPLETING, OTHER -> false;
            default -> true;
        };
    }

    /** One line of {@code squeue -h -o '%i|%T|%r'}: the job id, its state, and why it waits. */
    public record QueueLine(String jobId, JobState state, String rawState, String reason) {
        /** The line's fields, or empty for a line that is not one. */
        public static Optional<QueueLine> parse(String line) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 3 || f[0].isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new QueueLine(f[0].strip(), JobState.parse(f[1]), f[1].strip(), f[2].strip()));
        }
    }
}
