package dev.hybrid.platform;

/**
 * A platform that lays out its trials by the experiment's id and directory ({@code local}, {@code remote}). The
 * experiment tells it both when it is built, before it starts the platform, so the id and directory have one source:
 * a platform built in code need not repeat them, and cannot disagree with the experiment.
 */
public interface ExperimentScoped {

    /**
     * Sets the experiment this platform runs trials for, replacing any id and directory it was built with. Called once,
     * before {@link TrainingPlatform#start}, by the thread that builds the experiment.
     *
     * @throws IllegalStateException if the platform has already started
     */
    void bindExperiment(ExperimentScope scope);
}
