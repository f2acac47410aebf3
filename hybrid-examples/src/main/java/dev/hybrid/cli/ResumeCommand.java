package dev.hybrid.cli;

import dev.hybrid.Experiment;
import dev.hybrid.ResumeBuilder;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.ConfigLoader;
import dev.hybrid.config.ConfigProblem;
import dev.hybrid.config.Durations;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid resume ID}: continues a stopped or crashed experiment in the foreground, like
 * {@code nnictl resume}. Finished trials are replayed into the tuner, trials that were running run again, and the
 * budgets count what was already spent. Budgets and concurrency may be raised on the way.
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Resumes a stored experiment in the foreground.")
public final class ResumeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Option(names = "--config", paramLabel = "CONFIG.yml",
            description = "A changed config (budgets, concurrency); its search space and tuner must be unchanged.")
    Path config;

    @Option(names = "--max-trial-number", paramLabel = "N", description = "A new maxTrialNumber.")
    Integer maxTrialNumber;

    @Option(names = "--max-experiment-duration", paramLabel = "DURATION",
            description = "A new maxExperimentDuration, e.g. 2h.")
    String maxDuration;

    @Option(names = "--trial-concurrency", paramLabel = "N", description = "A new trialConcurrency.")
    Integer trialConcurrency;

    @Option(names = "--web", description = "Serve the web dashboard while the experiment runs (see --port, --host).")
    boolean web;

    @Mixin
    WebOptions webOptions;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", hidden = true,
            description = "Seconds between progress lines when output is not a terminal.")
    double progressInterval = 10;

    private final PrintStream out;
    private final PrintStream err;

    public ResumeCommand() {
        this(System.out, System.err);
    }

    ResumeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Path dir = workDir.experiment(id);
        Experiment experiment;
        try {
            ResumeBuilder b = Experiment.resume(dir);
            if (config != null) {
                b.config(ConfigLoader.load(config));
            }
            if (maxTrialNumber != null) {
                b.maxTrialNumber(maxTrialNumber);
            }
            if (maxDuration != null) {
                b.maxExecDuration(Durations.parse(maxDuration).orElseThrow(() -> new ConfigException(
                        dev.hybrid.config.FieldPath.of("maxExperimentDuration"),
                        "must be a duration such as 30m or 2h, was '" + maxDuration + "'")));
            }
            if (trialConcurrency != null) {
                b.trialConcurrency(trialConcurrency);
            }
            experiment = b.build();
        } catch (ConfigException e) {
            err.println("Cannot resume experiment " + id + ":");
            for (ConfigProblem p : e.problems()) {
                err.println("  " + p);
            }
            return HybridCommand.USAGE;
        }
        return RunCommand.runInForeground(experiment, "resumed; files in " + dir, out, err, progressInterval,
                web ? java.util.Optional.of(webOptions.options(err)) : java.util.Optional.empty());
    }
}
