package dev.hybrid.cli;

import dev.hybrid.dashboard.Dashboard;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code hybrid view ID}: serves a stored experiment's web dashboard until Ctrl-C, like {@code nnictl view}. The
 * experiment may be running in another process (the page follows it) or finished.
 */
@Command(name = "view", mixinStandardHelpOptions = true,
        description = "Serves the web dashboard of a stored experiment (running or finished) until Ctrl-C.")
public final class ViewCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Mixin
    WebOptions web;

    private final PrintStream out;
    private final PrintStream err;

    public ViewCommand() {
        this(System.out, System.err);
    }

    ViewCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws InterruptedException {
        Path dir = workDir.experiment(id);
        Dashboard dashboard = Dashboard.serve(dir, web.options(err));
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            dashboard.close();
            closed.countDown();
        }, "hybrid-view-shutdown"));
        out.println(WebOptions.announce(dashboard));
        out.println("Serving experiment " + id + " until Ctrl-C.");
        out.flush();
        closed.await();
        return HybridCommand.OK;
    }
}
