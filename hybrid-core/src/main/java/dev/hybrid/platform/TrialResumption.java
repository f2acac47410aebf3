package dev.hybrid.platform;

import dev.hybrid.trial.TrialId;

/**
 * An optional capability of a {@link TrainingPlatform} whose trials may outlive the run that started them where this
 * run cannot see them yet (a trial on a machine that is unreachable when an experiment is resumed). Before a resumed
 * experiment runs again a trial that had not ended when its previous run did, it asks whether the earlier attempt may
 * still be alive; while it may, the trial is held (it keeps its slot in {@code trialConcurrency}) and the experiment
 * asks again later, so a trial never has two live attempts. Callers check for it with {@code instanceof}.
 */
public interface TrialResumption {

    /**
     * Whether {@code trial}, which an earlier run of the experiment recorded on {@code platform} (the name in
     * {@code Trial.platform()}: a child's name in hybrid mode) and which had not ended, may run again now: true once
     * its earlier processes are known to be gone (its machine was reached and ended them) or are given up on (the
     * machine was lost for {@code machineLostAfter}; they are ended when it is next reached). Called on the experiment
     * thread after {@link TrainingPlatform#start}; it may run a short command on a machine.
     */
    boolean mayRunAgain(TrialId trial, String platform);
}
