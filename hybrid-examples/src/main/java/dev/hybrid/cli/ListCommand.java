package dev.hybrid.cli;

import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code hybrid list}: the experiments under the working directory with their limits in force, like
 * {@code nnictl experiment list --all}.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists the experiments under the working directory: id, name, status, trials, limits (maxTrials,"
                + " maxDuration, concurrency), best, start.",
            "An experiment shown INTERRUPTED was not finished when its process died; resume it."})
public final class ListCommand implements Callable<Integer> {
    @Mixin
    WorkDir workDir;

    private final PrintStream out;
    private final PrintStream err;

    public ListCommand() {
        this(System.out, System.err);
    }

    ListCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        Path root = workDir.resolve();
        List<Path> dirs = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                s.filter(d -> Files.isRegularFile(SqliteExperimentStore.databaseFile(d))).sorted().forEach(dirs::add);
            }
        }
        if (dirs.isEmpty()) {
            out.println("No experiments in " + root);
            return HybridCommand.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", "name", "status", "trials", "maxTrials", "maxDuration", "concurrency", "best",
            "start"});
        int failed = 0;
        for (Path d : dirs) {
            try (SqliteExperimentStore store = SqliteExperimentStore.readOnly(d)) {
                store.open();
                StoredExperiment e = store.experiment().orElseThrow(() -> new StoreException("no experiment row"));
                Map<TrialStatus, Integer> counts = store.trialCounts();
                int trials = counts.values().stream().mapToInt(Integer::intValue).sum();
                String best = store.topTrials(1, e.optimizeMode()).stream().findFirst()
                        .flatMap(t -> t.trial().finalValue()).map(Report::number).orElse("-");
                String status = !e.status().isFinished() && !SqliteExperimentStore.isInUse(d) ? "INTERRUPTED"
                        : e.status().name();
                // The limits in force: the stored settings follow hybrid update and other steering.
                rows.add(new String[] {e.id(), e.name().orElse("-"), status, Integer.toString(trials),
                    e.maxTrialNumber().map(String::valueOf).orElse("-"),
                    e.maxExecDuration().map(dev.hybrid.config.Durations::format).orElse("-"),
                    e.trialConcurrency().map(String::valueOf).orElse("-"), best,
                    e.started().map(Object::toString).orElse("-")});
            } catch (StoreException e) {
                failed++;
                err.println("hybrid: " + d.getFileName() + ": " + e.getMessage());
            }
        }
        printTable(rows);
        return failed == 0 ? HybridCommand.OK : HybridCommand.FAILED;
    }

    /** Prints the rows in columns as wide as their widest cell (ids and names have no fixed length); trials right-aligned. */
    private void printTable(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder format = new StringBuilder();
        for (int i = 0; i < width.length; i++) {
            boolean last = i == width.length - 1;
            format.append(last ? "%s" : (i == 3 ? "%" : "%-") + width[i] + "s ");
        }
        format.append("%n");
        for (String[] row : rows) {
            out.printf(Locale.ROOT, format.toString(), (Object[]) row);
        }
    }

    static String value(StoredTrial t) {
        return t.trial().finalValue().map(Report::number).orElse("-");
    }
}
