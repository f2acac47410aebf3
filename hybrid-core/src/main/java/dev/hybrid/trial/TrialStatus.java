package dev.hybrid.trial;

/** A trial's status, named as NNI's {@code TrialJobStatus}. */
public enum TrialStatus {
    UNKNOWN, WAITING, RUNNING, SUCCEEDED, FAILED, USER_CANCELED, SYS_CANCELED, EARLY_STOPPED;

    /** Whether the trial has ended (SUCCEEDED, FAILED or one of the cancelled/stopped statuses). */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == USER_CANCELED || this == SYS_CANCELED
                || this == EARLY_STOPPED;
    }
}
