package dev.hybrid.cli;

import dev.hybrid.store.ControlRequest;
import dev.hybrid.trial.TrialId;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid cancel ID TRIAL}: cancels one trial of an experiment running in another process, as NNI's web UI
 * does: it ends {@code USER_CANCELED} ("cancelled by cli") and the experiment goes on.
 */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = {"Cancels one trial of a running experiment; the experiment goes on.",
            "Exit code 0 once cancelled (or if it had already ended), 1 if the experiment is not running or has no "
                + "such trial."})
public final class CancelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Parameters(index = "1", paramLabel = "TRIAL", description = "The trial id, as hybrid trials shows it.")
    String trial;

    @Mixin
    WorkDir workDir;

    private final PrintStream out;
    private final PrintStream err;

    public CancelCommand() {
        this(System.out, System.err);
    }

    CancelCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (trial.isBlank()) {
            err.println("hybrid: TRIAL must not be blank");
            return HybridCommand.USAGE;
        }
        ControlClient client = new ControlClient(workDir.experiment(id), id, err);
        if (client.send(new ControlRequest.CancelTrial(new TrialId(trial)), "").isPresent()) {
            return HybridCommand.FAILED;
        }
        out.println("experiment " + id + ": trial " + trial + " cancelled");
        return HybridCommand.OK;
    }
}
