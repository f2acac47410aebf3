package dev.hybrid;

/**
 * An experiment's status, named as NNI's {@code ExperimentStatus}.
 *
 * <p>An experiment goes {@code INITIALIZED → RUNNING}, then, once its budget is spent, {@code NO_MORE_TRIAL} (trial
 * count or duration) or {@code TUNER_NO_MORE_TRIAL} (the tuner said it is done) while the running trials finish, and
 * finally {@code DONE}. {@code stop()} goes through {@code STOPPING} to {@code STOPPED}. A failure of the tuner or
 * of every platform ends it in {@code ERROR}.
 */
public enum ExperimentStatus {
    INITIALIZED, RUNNING, STOPPING, STOPPED, DONE, NO_MORE_TRIAL, TUNER_NO_MORE_TRIAL, ERROR;

    /** Whether the experiment has ended: {@code DONE}, {@code STOPPED} or {@code ERROR}. */
    public boolean isFinished() {
        return this == DONE || this == STOPPED || this == ERROR;
    }
}
