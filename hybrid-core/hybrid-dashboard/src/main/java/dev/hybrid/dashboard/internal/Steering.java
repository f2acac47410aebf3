package dev.hybrid.dashboard.internal;

import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.Set;

/** The steering the page's buttons ask for, applied to a running experiment. Thread-safe. */
public interface Steering {

    /** The actions this experiment accepts. */
    enum Action { STOP, CANCEL_TRIAL, MAX_TRIAL_NUMBER, MAX_EXEC_DURATION, TRIAL_CONCURRENCY }

    /** The actions {@link #apply} accepts here. */
    Set<Action> actions();

    /** Stops the experiment; its running trials are cancelled. */
    void stop();

    /** Cancels one running trial. */
    void cancelTrial(TrialId trial);

    /** Sets the most trials the experiment runs. */
    void setMaxTrialNumber(int value);

    /** Sets how long the experiment runs. */
    void setMaxExecDuration(Duration value);

    /** Sets how many trials run at once. */
    void setTrialConcurrency(int value);
}
