package dev.hybrid.cli;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentListener;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.ExperimentConfig;
import dev.hybrid.dashboard.Dashboard;
import dev.hybrid.dashboard.DashboardOptions;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid run CONFIG.yml}: runs an NNI experiment config in the foreground, like
 * {@code nnictl create --foreground}. Shows live progress and prints the best trials at the end;
 * everything is kept in {@code <experimentDir>/db/experiment.sqlite}, which {@code hybrid trials}, {@code export}
 * and {@code resume} read. Ctrl-C stops cleanly: running trials are cancelled and recorded.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs an NNI experiment config (v1 or v2 YAML) in the foreground.")
public final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG.yml", description = "The experiment config.")
    Path config;

    @Option(names = "--id", paramLabel = "ID", description = "The experiment id (default: random).")
    String id;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where experiments live (default: the config's logDir/experimentWorkingDirectory, "
                    + "else ~/hybrid-experiments).")
    Path workDir;

    @Option(names = "--web", description = "Serve the web dashboard while the experiment runs (see --port, --host).")
    boolean web;

    @picocli.CommandLine.Mixin
    WebOptions webOptions;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", hidden = true,
            description = "Seconds between progress lines when output is not a terminal.")
    double progressInterval = 10;

    private final PrintStream out;
    private final PrintStream err;

    public RunCommand() {
        this(System.out, System.err);
    }

    RunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        ExperimentConfig cfg;
        Experiment experiment;
        try {
            cfg = ConfigLoader.load(config);
            var builder = Experiment.builder().config(cfg);
            if (id != null) {
                builder.experimentId(id);
            }
            if (workDir != null) {
                builder.workingDirectory(workDir);
            }
            experiment = builder.build();
        } catch (ConfigException e) {
            err.println("Configuration error in " + config + ":");
            for (ConfigProblem p : e.problems()) {
                err.println("  " + p);
            }
            return 2;
        }
        Path experimentDir = experiment.workingDirectory().orElseThrow().resolve(experiment.id());
        return runInForeground(experiment, describe(cfg) + "; files in " + experimentDir, out, err, progressInterval,
                web ? Optional.of(webOptions.options(err)) : Optional.empty());
    }

    /**
     * Starts {@code experiment}, shows its progress until it ends (Ctrl-C stops it cleanly), prints the best trials
     * and closes it. Returns 0 when it finished its budget with at least one trial succeeding, 1 otherwise.
     */
    static int runInForeground(Experiment experiment, String description, PrintStream out, PrintStream err,
            double progressInterval, Optional<DashboardOptions> web) throws InterruptedException {
        Progress progress = new Progress(experiment, out, System.console() != null, progressInterval);
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        ExperimentHandle handle;
        Optional<Dashboard> dashboard = Optional.empty();
        try (experiment) {
            handle = experiment.start();
            Thread hook = new Thread(() -> {
                if (finished.getCount() > 0) {
                    interrupted.set(true);
                    err.println();
                    err.println("Stopping: cancelling running trials...");
                    handle.control(new dev.hybrid.store.ControlRequest.Stop(), "cli");
                    try {
                        // Longer than the experiment's own 30 s grace for cancelled trials, so that the summary is
                        // printed and the stop recorded even when a platform is slow to confirm its trials' ends.
                        finished.await(45, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "hybrid-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("Experiment " + experiment.id() + " started: " + description);
            dashboard = web.map(options -> Dashboard.serve(experiment, options));
            dashboard.ifPresent(d -> out.println(WebOptions.announce(d) + " (until the run ends; then hybrid view "
                    + experiment.id() + ")"));
            progress.start(handle);
            try {
                while (!handle.awaitCompletion(Duration.ofSeconds(1))) {
                    // keep waiting; progress prints on its own thread
                }
            } finally {
                progress.stop(handle);
            }
            ExperimentSummary summary = handle.summary();
            Report.print(out, experiment, handle);
            finished.countDown();
            if (!interrupted.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException ignored) {
                    // the JVM is already shutting down
                }
            }
            boolean completed = switch (summary.status()) {
                case DONE, NO_MORE_TRIAL, TUNER_NO_MORE_TRIAL -> true;
                default -> false;
            };
            Optional<String> noSuccess = noTrialSucceeded(handle);
            noSuccess.ifPresent(why -> err.println("hybrid: " + why));
            return completed && noSuccess.isEmpty() ? 0 : 1;
        } finally {
            dashboard.ifPresent(Dashboard::close);
        }
    }

    /**
     * Why the run achieved nothing, when trials ran but none succeeded (or was stopped early by the assessor, which
     * needs results): the first failed trial's message, which is usually every trial's.
     */
    static Optional<String> noTrialSucceeded(ExperimentHandle handle) {
        List<Trial> trials = handle.trials();
        if (trials.isEmpty() || trials.stream().anyMatch(t -> t.status() == TrialStatus.SUCCEEDED
                || t.status() == TrialStatus.EARLY_STOPPED)) {
            return Optional.empty();
        }
        Optional<Trial> failed = trials.stream().filter(t -> t.status() == TrialStatus.FAILED)
                .min(java.util.Comparator.comparingInt(Trial::sequence));
        // Without a failure (trials cancelled at the deadline grace, say), the first ended trial says why.
        Optional<Trial> ended = trials.stream().filter(t -> t.status().isFinished() && !t.message().isBlank())
                .min(java.util.Comparator.comparingInt(Trial::sequence));
        return Optional.of("no trial succeeded (" + trials.size() + " ran)" + failed.map(t -> "; the first failure, "
                + "trial " + t.id() + ": " + oneLine(t.message())).or(() -> ended.map(t -> "; trial " + t.id()
                + " ended " + t.status() + ": " + oneLine(t.message()))).orElse(""));
    }

    /** The message on one line, its start only when it is long (it may end with many lines of stderr). */
    private static String oneLine(String message) {
        String m = message.strip().replaceAll("\\s*\\n\\s*", " ");
        return m.length() <= 300 ? m : m.substring(0, 300) + " ...";
    }

    private static String describe(ExperimentConfig cfg) {
        return cfg.trialConcurrency() + " at a time, " + cfg.maxTrialNumber().map(n -> n + " trials").orElse(
                "no trial limit") + ", " + cfg.maxExperimentDuration().map(dev.hybrid.config.Durations::format)
                .map(d -> "at most " + d).orElse("no time limit") + ", on "
                + cfg.trainingServices().stream().map(dev.hybrid.config.PlatformConfig::platform)
                        .collect(java.util.stream.Collectors.joining(" + "));
    }

    /**
     * After {@code maxExecDuration}, how long trials still running may go on before they are cancelled
     * ({@code "  grace 0:09:58 left"}); empty before the deadline and once the experiment has ended.
     */
    static String graceLeft(ExperimentHandle handle, Instant now) {
        if (handle.isFinished()) {
            return "";
        }
        return handle.deadlineGraceEnd().map(end -> {
            Duration left = Duration.between(now, end);
            return "  grace " + Report.clock(left.isNegative() ? Duration.ZERO : left) + " left";
        }).orElse("");
    }

    /** Prints progress: one rewritten line on a terminal, plain lines at an interval otherwise. */
    static final class Progress implements ExperimentListener {
        private final Experiment experiment;
        private final PrintStream out;
        private final boolean terminal;
        private final double intervalSeconds;
        private ScheduledExecutorService timer;

        Progress(Experiment experiment, PrintStream out, boolean terminal, double intervalSeconds) {
            this.experiment = experiment;
            this.out = out;
            this.terminal = terminal;
            this.intervalSeconds = intervalSeconds;
        }

        void start(ExperimentHandle handle) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "hybrid-progress");
                t.setDaemon(true);
                return t;
            });
            long every = terminal ? 250 : Math.max(100, (long) (intervalSeconds * 1000));
            timer.scheduleAtFixedRate(() -> print(handle), every, every, TimeUnit.MILLISECONDS);
        }

        void stop(ExperimentHandle handle) {
            timer.shutdownNow();
            print(handle);
            if (terminal) {
                out.println();
            }
        }

        private void print(ExperimentHandle handle) {
            String line = Report.progressLine(experiment, handle.summary()) + graceLeft(handle, Instant.now());
            if (terminal) {
                out.print("\r\033[K" + line);
                out.flush();
            } else {
                out.println(line);
            }
        }
    }
}
