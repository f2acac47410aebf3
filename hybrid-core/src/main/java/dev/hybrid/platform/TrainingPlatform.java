package dev.hybrid.platform;

import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;

/**
 * Runs trials somewhere: local processes, SSH machines, a cluster, or this JVM.
 *
 * <p>Lifecycle: {@link #start} → ({@link #submit} | {@link #cancel})* → {@link #close}. The experiment thread calls
 * {@code start}, {@code submit}, {@code cancel}, {@code freeSlots} and {@code close}; the platform does its blocking
 * work on its own bounded executors and reports progress only through the {@link TrialEventSink}: for each
 * submitted trial {@code Started}, metrics in order, then exactly one {@code Ended}.
 */
public interface TrainingPlatform extends AutoCloseable {

    /** The platform's YAML name: {@code "local"}, {@code "remote"}, {@code "in-process"}, ... */
    String name();

    /**
     * Checks resources and gets ready; events go to {@code sink} from now on.
     *
     * @throws PlatformException if the platform cannot run trials (fail fast)
     */
    void start(TrialEventSink sink);

    /**
     * Starts a trial. Returns quickly; progress arrives through the sink.
     *
     * @throws IllegalStateException if called before {@code start} or after {@code close}
     * @throws PlatformException if the trial cannot be submitted (no free slot, platform unreachable)
     */
    void submit(TrialSpec spec);

    /**
     * Cancels a trial: a running one ends with exactly one {@code Ended(USER_CANCELED)}. Idempotent; a no-op for
     * finished and unknown trials.
     */
    void cancel(TrialId trial);

    /** How many more trials this platform can take now. */
    int freeSlots();

    /**
     * Cancels what is still running and releases every resource. Idempotent; no event is delivered after it returns.
     */
    @Override
    void close();
}
