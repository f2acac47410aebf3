package dev.hybrid.platform;

import java.util.Optional;

/**
 * An optional capability of a {@link TrainingPlatform}: it can tell when it has given up being able to run trials
 * (every machine lost for longer than allowed, every child failed), as opposed to having no free slot for a while.
 * The experiment checks it when the platform has no free slot and none of its trials runs: a platform that is
 * unavailable then ends the experiment {@code ERROR} with the reason, instead of leaving it waiting for a slot that
 * never comes. Callers check for it with {@code instanceof}.
 */
public interface PlatformAvailability {

    /**
     * Why this platform can run no trial and has not been able to for as long as it allows (say, every machine
     * unreachable for {@code machineLostAfter}); empty while it can run trials, or may soon (a machine still
     * connecting, or down for less than that). Thread-safe, quick, and free of I/O.
     */
    Optional<String> unavailableReason();
}
