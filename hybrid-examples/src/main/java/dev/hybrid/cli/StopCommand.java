package dev.hybrid.cli;

import dev.hybrid.store.ControlRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid stop ID}: stops an experiment running in another process, like {@code nnictl stop}: it submits no
 * more trials, cancels the running ones and ends {@code STOPPED}. Waits until its process has let it go.
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {"Stops a running experiment: running trials are cancelled, it ends STOPPED.",
            "Exit code 0 once it stopped, 1 if it is not running."})
public final class StopCommand implements Callable<Integer> {
    /** Stopping cancels the running trials, which get 30 s to end: wait a little longer than that. */
    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(45);

    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    private final PrintStream out;
    private final PrintStream err;

    public StopCommand() {
        this(System.out, System.err);
    }

    StopCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        ControlClient client = new ControlClient(workDir.experiment(id), id, err);
        if (client.send(new ControlRequest.Stop(), "").isPresent()) {
            return HybridCommand.FAILED;
        }
        if (client.awaitEnd(STOPPED_WITHIN)) {
            out.println("experiment " + id + " stopped");
        } else {
            out.println("experiment " + id + " is stopping: its running trials are being cancelled");
        }
        return HybridCommand.OK;
    }
}
