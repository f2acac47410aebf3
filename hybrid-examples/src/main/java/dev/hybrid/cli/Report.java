package dev.hybrid.cli;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.config.Durations;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The text the command line shows: the progress line and the end-of-run table. */
final class Report {
    private static final int TOP = 5;

    private Report() {
    }

    static String progressLine(Experiment experiment, ExperimentSummary s) {
        int done = s.count(TrialStatus.SUCCEEDED);
        int failed = s.count(TrialStatus.FAILED);
        int running = s.count(TrialStatus.RUNNING) + s.count(TrialStatus.WAITING);
        int stopped = s.count(TrialStatus.USER_CANCELED) + s.count(TrialStatus.EARLY_STOPPED)
                + s.count(TrialStatus.SYS_CANCELED);
        // The limits in force: hybrid update or a dashboard may have changed them since the start.
        String max = s.maxTrialNumber().map(String::valueOf).orElse("∞");
        StringBuilder sb = new StringBuilder();
        sb.append(s.status()).append("  trials ").append(done).append(" done, ").append(running)
                .append(" running, ").append(failed).append(" failed");
        if (stopped > 0) {
            sb.append(", ").append(stopped).append(" stopped");
        }
        sb.append(" of ").append(max);
        sb.append("  elapsed ").append(clock(s.elapsed()));
        s.maxExecDuration().ifPresent(d -> sb.append(" of ").append(Durations.format(d)));
        sb.append("  best ").append(s.bestTrial().flatMap(Trial::finalValue).map(Report::number).orElse("-"));
        return sb.toString();
    }

    static void print(PrintStream out, Experiment experiment, ExperimentHandle handle) {
        ExperimentSummary s = handle.summary();
        out.println();
        out.println("Experiment " + s.experimentId() + " ended " + s.status() + " after " + clock(s.elapsed())
                + ": " + s.trialCount() + " trials (" + s.count(TrialStatus.SUCCEEDED) + " succeeded, "
                + s.count(TrialStatus.FAILED) + " failed)");
        s.failure().ifPresent(f -> out.println("Cause: " + f));
        OptimizeMode mode = experiment.optimizeMode();
        Comparator<Trial> best = Comparator.comparingDouble(t -> mode.toLoss(t.finalValue().orElseThrow()));
        List<Trial> ranked = handle.trials().stream()
                .filter(t -> t.finalValue().isPresent() && !Double.isNaN(t.finalValue().get()))
                .sorted(best).limit(TOP).toList();
        if (ranked.isEmpty()) {
            out.println("No trial reported a final result.");
            return;
        }
        out.println();
        out.println("Best trials (" + mode.name().toLowerCase(Locale.ROOT) + "):");
        out.println(String.format(Locale.ROOT, "  %-4s %-10s %-12s %-10s %-10s %s", "#", "trial", "value", "time",
                "platform", "parameters"));
        int rank = 1;
        for (Trial t : ranked) {
            String took = t.started().flatMap(st -> t.ended().map(en -> clock(Duration.between(st, en))))
                    .orElse("-");
            out.println(String.format(Locale.ROOT, "  %-4d %-10s %-12s %-10s %-10s %s", rank++, t.id(),
                    number(t.finalValue().orElseThrow()), took, t.platform(), t.parameters().toJson()));
        }
        out.println();
        out.println("Best parameters: " + ranked.get(0).parameters().toJson());
    }

    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return String.valueOf(v);
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }

    static String clock(Duration d) {
        long s = d.getSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
