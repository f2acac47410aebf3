package dev.hybrid.cli;

import dev.hybrid.config.Durations;
import dev.hybrid.store.ControlRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid update ID}: changes a limit of an experiment running in another process, like {@code nnictl update
 * trialnum|duration|concurrency}. The experiment applies the change, records it (a resume continues with it) and
 * this command prints the outcome.
 */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = {"Changes maxTrialNumber, maxExecDuration or trialConcurrency of a running experiment.",
            "Exit code 0 once the experiment applied every change, 1 if it is not running or refused one, 2 on bad "
                + "values."})
public final class UpdateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Option(names = "--max-trial-number", paramLabel = "N", description = "A new maxTrialNumber.")
    Integer maxTrialNumber;

    @Option(names = {"--max-exec-duration", "--max-experiment-duration"}, paramLabel = "DURATION",
            description = "A new maxExecDuration, counted from the experiment's first start, e.g. 2h.")
    String maxExecDuration;

    @Option(names = "--trial-concurrency", paramLabel = "N", description = "A new trialConcurrency.")
    Integer trialConcurrency;

    private final PrintStream out;
    private final PrintStream err;

    public UpdateCommand() {
        this(System.out, System.err);
    }

    UpdateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        List<ControlRequest> requests = new ArrayList<>();
        List<String> hints = new ArrayList<>();
        try {
            if (maxTrialNumber != null) {
                requests.add(new ControlRequest.SetMaxTrialNumber(maxTrialNumber));
                hints.add("--max-trial-number " + maxTrialNumber);
            }
            if (maxExecDuration != null) {
                requests.add(new ControlRequest.SetMaxExecDuration(Durations.parse(maxExecDuration).orElseThrow(
                        () -> new IllegalArgumentException("--max-exec-duration must be a duration such as 30m or "
                                + "2h, was '" + maxExecDuration + "'"))));
                hints.add("--max-experiment-duration " + maxExecDuration);
            }
            if (trialConcurrency != null) {
                requests.add(new ControlRequest.SetTrialConcurrency(trialConcurrency));
                hints.add("--trial-concurrency " + trialConcurrency);
            }
        } catch (IllegalArgumentException e) {
            err.println("hybrid: " + e.getMessage());
            return HybridCommand.USAGE;
        }
        if (requests.isEmpty()) {
            err.println("hybrid: update needs --max-trial-number, --max-exec-duration or --trial-concurrency");
            return HybridCommand.USAGE;
        }
        Path dir = workDir.experiment(id);
        ControlClient client = new ControlClient(dir, id, err);
        String hint = "; continue it with: hybrid resume " + id + " " + String.join(" ", hints);
        for (ControlRequest r : requests) {
            Optional<String> failed = client.send(r, hint);
            if (failed.isPresent()) {
                return HybridCommand.FAILED;
            }
            out.println("experiment " + id + ": " + r.kind() + " set to " + r.argument());
        }
        return HybridCommand.OK;
    }
}
