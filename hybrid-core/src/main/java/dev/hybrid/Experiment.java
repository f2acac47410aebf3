package dev.hybrid;

import dev.hybrid.internal.ExperimentLoop;
import dev.hybrid.internal.ExperimentSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hyperparameter-tuning experiment: a search space, a tuner, a budget and a training platform. Build it with
 * {@link #builder()}, run it with {@link #start()} and release it with {@link #close()}:
 *
 * <pre>{@code
 * try (Experiment experiment = Experiment.builder()
 *         .searchSpace(space).tuner(tuner).trialFunction((params, reporter) -> reporter.reportFinal(train(params)))
 *         .trialConcurrency(4).maxTrialNumber(100).build()) {
 *     ExperimentHandle handle = experiment.start();
 *     handle.awaitCompletion(Duration.ofHours(1));
 *     handle.bestTrial().ifPresent(System.out::println);
 * }
 * }</pre>
 *
 * <p>The experiment runs on its own thread, {@code hybrid-experiment-<id>}, which alone calls the tuner, the platform
 * and the listeners. Thread-safe.
 *
 * <p><b>JVM exit.</b> {@link #start()} registers a JVM shutdown hook, owned by this experiment and removed by
 * {@link #close()}: a JVM that exits while the experiment runs (its {@code main} returns without {@code close()},
 * {@code System.exit}, or SIGTERM / Ctrl-C) stops the experiment as {@code close()} would, so its running trials are
 * cancelled and no trial process outlives the JVM. Only SIGKILL (or a crash of the machine) skips the hook; then
 * {@code Experiment.resume} ends the trial processes the dead run left before it runs anything again.
 */
public final class Experiment implements AutoCloseable {
    /** How long {@link #close()} waits for the experiment thread, beyond the grace given to cancelled trials. */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(Experiment.class);

    private final ExperimentSettings settings;
    private ExperimentLoop loop;
    private volatile Thread thread;
    private ScheduledExecutorService ownedScheduler;
    private ExperimentHandle handle;
    private boolean closed;
    /** Stops the experiment when the JVM exits before {@link #close()}; removed by close. */
    private Thread shutdownHook;

    Experiment(ExperimentSettings settings) {
        this.settings = settings;
    }

    /** A builder for a new experiment. */
    public static ExperimentBuilder builder() {
        return new ExperimentBuilder();
    }

    /**
     * A builder that resumes the experiment stored in {@code experimentDir} ({@code <workingDirectory>/<id>}), as
     * {@code hybrid resume} and NNI's {@code nnictl resume} do. See {@link ResumeBuilder}.
     */
    public static ResumeBuilder resume(Path experimentDir) {
        return new ResumeBuilder(experimentDir);
    }

    /** The experiment's id: the one given to the builder, or a random 8-character one. */
    public String id() {
        return settings.experimentId();
    }

    /** The experiment's name, if it was given one. */
    public Optional<String> name() {
        return settings.name();
    }

    /** The working directory given to the builder, if any. */
    public Optional<Path> workingDirectory() {
        return settings.workingDirectory();
    }

    /** Whether the best trial is the one with the largest or the smallest final value. */
    public dev.hybrid.tuner.OptimizeMode optimizeMode() {
        return settings.optimizeMode();
    }

    /**
     * The maximum number of trials it was built with, empty when unlimited; {@link ExperimentSummary#maxTrialNumber()}
     * has the one in force after steering.
     */
    public Optional<Integer> maxTrialNumber() {
        return settings.maxTrialNumber() == Integer.MAX_VALUE ? Optional.empty()
                : Optional.of(settings.maxTrialNumber());
    }

    /**
     * The maximum experiment duration it was built with, empty when unlimited;
     * {@link ExperimentSummary#maxExecDuration()} has the one in force after steering.
     */
    public Optional<java.time.Duration> maxExecDuration() {
        return settings.maxExecDuration();
    }

    /**
     * The seed the tuner's random generator was built from, to reuse for the same run: a tuner's {@code seed} class
     * argument, else the builder's seed, else one chosen at random (and logged).
     */
    public long seed() {
        return settings.seed();
    }

    /**
     * Starts the experiment thread and returns at once.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized ExperimentHandle start() {
        if (closed) {
            throw new IllegalStateException("experiment " + id() + " is closed");
        }
        if (handle != null) {
            throw new IllegalStateException("experiment " + id() + " is already started");
        }
        ScheduledExecutorService scheduler = settings.scheduler().orElseGet(() -> {
            ownedScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "hybrid-timer-" + id());
                t.setDaemon(true);
                return t;
            });
            return ownedScheduler;
        });
        loop = new ExperimentLoop(settings);
        loop.useScheduler(scheduler);
        thread = new Thread(loop, "hybrid-experiment-" + id());
        thread.setDaemon(true);
        handle = new ExperimentHandle(loop, id());
        shutdownHook = new Thread(this::closeOnShutdown, "hybrid-shutdown-" + id());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        thread.start();
        return handle;
    }

    /** The handle that {@link #start()} returned; empty before the experiment was started. */
    public synchronized Optional<ExperimentHandle> handle() {
        return Optional.ofNullable(handle);
    }

    /**
     * Stops the experiment if it is running (as {@link ExperimentHandle#stop()}, and recorded in the history of
     * changes with source {@code "api"}, or {@code "shutdown"} when the JVM's exit closes it), waits for its thread
     * to end (at most the 30 s grace given to cancelled trials plus a margin), and shuts down the scheduler and
     * platform it created, and removes the JVM shutdown hook that {@link #start()} registered. Executors passed to
     * the builder are left running. Idempotent.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            // Called from a listener: the experiment thread cannot wait for itself, so it only asks to stop. It must
            // not take this object's lock either: a user thread in close() holds it while joining this thread. (It
            // sees `loop`, written before the thread was started.)
            loop.steer(new dev.hybrid.store.ControlRequest.Stop(), "api");
            return;
        }
        closeFromOutside();
    }

    private void closeOnShutdown() {
        if (!closed) {
            log.info("The JVM is exiting: stopping experiment {} and cancelling its running trials", id());
        }
        closeFromOutside();
    }

    private synchronized void closeFromOutside() {
        if (closed) {
            return;
        }
        closed = true;
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs (or ran) and finds the experiment closed.
            }
        }
        boolean interrupted = false;
        try {
            if (thread != null) {
                // Recorded in the history of changes like any other stop (nothing is recorded if it has ended).
                loop.steer(new dev.hybrid.store.ControlRequest.Stop(),
                        Thread.currentThread() == shutdownHook ? "shutdown" : "api");
                try {
                    Duration wait = Duration.ofSeconds(30).plus(CLOSE_MARGIN);
                    thread.join(wait.toMillis());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (thread.isAlive()) {
                    log.warn("Experiment thread {} did not end; closing its platform anyway", thread.getName());
                    settings.platform().close();
                }
            } else {
                if (settings.ownsPlatform()) {
                    settings.platform().close();
                }
                if (settings.ownsStore()) {
                    settings.store().close();
                }
            }
        } finally {
            if (ownedScheduler != null) {
                ownedScheduler.shutdownNow();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
