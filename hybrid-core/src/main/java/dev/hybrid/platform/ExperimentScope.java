package dev.hybrid.platform;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The experiment a platform runs trials for, as the experiment tells an {@link ExperimentScoped} platform.
 *
 * @param experimentId the experiment's id: trials see it in {@code NNI_EXP_ID}
 * @param experimentDirectory where the platform may keep the experiment's files on this machine: the experiment's
 *     directory ({@code <workingDirectory>/<id>}) when it has a working directory, else
 *     {@code <java.io.tmpdir>/hybrid-experiments/<id>}
 */
public record ExperimentScope(String experimentId, Path experimentDirectory) {
    /** @throws NullPointerException if an argument is null */
    public ExperimentScope {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(experimentDirectory, "experimentDirectory");
    }
}
