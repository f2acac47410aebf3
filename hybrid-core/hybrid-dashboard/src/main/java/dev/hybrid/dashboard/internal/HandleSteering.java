package dev.hybrid.dashboard.internal;

import dev.hybrid.ExperimentHandle;
import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** Steers an experiment of this process through its handle. */
public final class HandleSteering implements Steering {
    private final ExperimentHandle handle;

    public HandleSteering(ExperimentHandle handle) {
        this.handle = handle;
    }

    @Override
    public Set<Action> actions() {
        return EnumSet.of(Action.STOP);
    }

    @Override
    public void stop() {
        handle.stop();
    }

    @Override
    public void cancelTrial(TrialId trial) {
        throw new IllegalStateException("cancelling a trial is not available");
    }

    @Override
    public void setMaxTrialNumber(int value) {
        throw new IllegalStateException("changing maxTrialNumber is not available");
    }

    @Override
    public void setMaxExecDuration(Duration value) {
        throw new IllegalStateException("changing maxExecDuration is not available");
    }

    @Override
    public void setTrialConcurrency(int value) {
        throw new IllegalStateException("changing trialConcurrency is not available");
    }
}
