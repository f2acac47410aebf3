package dev.hybrid.cli;

import dev.hybrid.dashboard.DashboardReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hybrid report ID -o report.html}: the dashboard as one HTML file that opens with no network. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Writes an experiment's dashboard (overview, trials, charts) as one self-contained HTML file.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "The HTML file (default: ID.html).")
    Path output;

    private final PrintStream out;

    public ReportCommand() {
        this(System.out);
    }

    ReportCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        Path dir = workDir.experiment(id);
        Path file = output != null ? output : Path.of(id + ".html");
        DashboardReport.write(dir, file);
        out.println("Wrote " + file);
        return HybridCommand.OK;
    }
}
