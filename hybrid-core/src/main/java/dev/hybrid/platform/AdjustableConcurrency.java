package dev.hybrid.platform;

/**
 * An optional capability of a {@link TrainingPlatform} whose number of slots was sized from the experiment's
 * {@code trialConcurrency}: when that is changed while the experiment runs ({@code ExperimentHandle
 * .setTrialConcurrency}, {@code hybrid update --trial-concurrency}), the platform follows, so that a raised value
 * runs more trials at once. The experiment calls it only on a platform it built itself; a platform the user passed
 * keeps the size the user gave it.
 */
public interface AdjustableConcurrency {

    /**
     * Sets how many trials the platform runs at once from now on. Lowering it cancels no running trial; fewer start
     * until the running ones are below the new value. Called from the experiment thread.
     *
     * @throws IllegalArgumentException if {@code trialConcurrency < 1}
     */
    void adjustConcurrency(int trialConcurrency);
}
