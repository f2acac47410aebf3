package dev.hybrid.cli;

import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoreException;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.store.StoredTrial;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hybrid trials ID}: an experiment's trials, optionally of one status or only the best {@code N}. */
@Command(name = "trials", mixinStandardHelpOptions = true,
        description = "Shows an experiment's trials (sequence, id, status, final value, parameters).")
public final class TrialsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The experiment id.")
    String id;

    @Mixin
    WorkDir workDir;

    @Option(names = "--status", paramLabel = "S", description = "Only trials in this status, e.g. SUCCEEDED.")
    TrialStatus status;

    @Option(names = "--top", paramLabel = "N", description = "Only the N trials with the best final values.")
    Integer top;

    private final PrintStream out;

    public TrialsCommand() {
        this(System.out);
    }

    TrialsCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (top != null && top < 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--top must be >= 0, was " + top);
        }
        List<StoredTrial> trials;
        try (SqliteExperimentStore store = workDir.read(id)) {
            StoredExperiment e = store.experiment().orElseThrow(() -> new StoreException(
                    "no experiment is recorded in " + store.file()));
            OptimizeMode mode = e.optimizeMode();
            if (top != null && status == null) {
                trials = store.topTrials(top, mode);
            } else if (top != null) {
                trials = store.trials(Optional.of(status), false).stream()
                        .filter(t -> t.trial().finalValue().filter(Double::isFinite).isPresent())
                        .sorted(Comparator.comparingDouble(t -> mode.toLoss(t.trial().finalValue().orElseThrow())))
                        .limit(top).toList();
            } else {
                trials = store.trials(Optional.ofNullable(status), false);
            }
        }
        StringBuilder sb = new StringBuilder(64 * (trials.size() + 1));
        sb.append(String.format(Locale.ROOT, "%-6s %-8s %-14s %-12s %-8s %-21s %s%n", "seq", "trial", "status",
                "value", "attempt", "machine", "parameters"));
        for (StoredTrial t : trials) {
            sb.append(String.format(Locale.ROOT, "%-6d %-8s %-14s %-12s %-8d %-21s %s%n", t.trial().sequence(),
                    t.trial().id(), t.trial().status(), ListCommand.value(t), t.attempt(),
                    t.trial().machine().orElse("-"), t.trial().parameters().toJson()));
            if (t.trial().status() == dev.hybrid.trial.TrialStatus.WAITING && !t.trial().message().isBlank()) {
                // Why it has not started, as its platform last said (a scheduler's queue reason).
                sb.append("       waits: ").append(t.trial().message().strip().replace('\n', ' ')).append('\n');
            }
        }
        out.print(sb);
        out.flush();
        return HybridCommand.OK;
    }
}
