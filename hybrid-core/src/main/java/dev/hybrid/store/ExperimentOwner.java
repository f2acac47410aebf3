package dev.hybrid.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The process that holds a stored experiment right now (runs, resumes or imports into it).
 *
 * @param pid the process id of its JVM
 * @param processStart when that process started, where the operating system says
 */
public record ExperimentOwner(long pid, Optional<Instant> processStart) {
    public ExperimentOwner {
        Objects.requireNonNull(processStart, "processStart");
    }

    /** This process. */
    public static ExperimentOwner current() {
        ProcessHandle self = ProcessHandle.current();
        return new ExperimentOwner(self.pid(), self.info().startInstant());
    }
}
