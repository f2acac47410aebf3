package dev.hybrid.dashboard.internal;

import dev.hybrid.trial.Metric;
import dev.hybrid.trial.TrialId;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Where the dashboard reads an experiment from: its store, or a running experiment's handle. Not thread-safe. */
public interface ExperimentSource extends AutoCloseable {

    /** A number that changes whenever the experiment changed; cheap enough to ask every few hundred milliseconds. */
    long cursor();

    /** The experiment and its trials now. */
    Snapshot snapshot();

    /** The intermediate metrics of the current attempt of each of {@code trials}, in the order reported. */
    Map<TrialId, List<Metric>> intermediate(Collection<TrialId> trials);

    /** The folder that holds a trial's {@code stdout} and {@code stderr}, where its platform keeps one here. */
    Optional<Path> trialDirectory(TrialId trial);

    /** How the page may steer the experiment; empty when it cannot be steered from here. */
    Optional<Steering> steering();

    @Override
    void close();
}
