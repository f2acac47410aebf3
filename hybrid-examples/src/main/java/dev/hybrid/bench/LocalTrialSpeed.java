package dev.hybrid.bench;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.platform.local.LocalPlatform;
import dev.hybrid.platform.local.LocalPlatformOptions;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.Trial;
import dev.hybrid.trial.TrialStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How fast the local platform turns trials around: null trials (a command that does nothing but speak the protocol)
 * run at concurrency 2 through a whole experiment (Random tuner, real processes, {@code parameter.cfg} written,
 * metrics read); it reports trials per second and the median gap between one trial's exit and the next trial's
 * start, each the median of three runs. Two trials: {@code /bin/true}, and a Python trial doing
 * {@code import nni; nni.get_next_parameter(); nni.report_final_result(0)}.
 */
public final class LocalTrialSpeed {
    private LocalTrialSpeed() {
    }

    /** The figures for the shell trial (and the Python one where {@code python3} runs). */
    public static List<Figure> figures(int shellTrials, int pythonTrials) {
        return figures(shellTrials, pythonTrials, Optional.empty());
    }

    /** The figures, keeping the runs' experiments under {@code workDir} (a new temporary folder when empty). */
    public static List<Figure> figures(int shellTrials, int pythonTrials, Optional<Path> workDir) {
        List<Figure> out = new ArrayList<>();
        Path dir = folder(workDir, "hybrid-local-speed");
        run(dir.resolve("warmup"), "/bin/true", 300);
        // The median of three runs: one run on a 2-core machine moves by ±10 % with whatever else is running.
        Result shell = medianOfThree(dir, "shell", "/bin/true", shellTrials);
        out.add(new Figure("local.shell_trials_per_s", shell.trialsPerSecond(), "trials/s"));
        out.add(new Figure("local.shell_gap_ms_median", shell.medianGapMillis(), "ms"));
        Optional<String> python = pythonTrials > 0 ? realPython() : Optional.empty();
        if (python.isPresent()) {
            // The interpreter itself, not a version manager's shim script in front of it (pyenv's costs ~150 ms).
            Result py = medianOfThree(dir, "python", python.get()
                    + " -c 'import nni; nni.get_next_parameter(); nni.report_final_result(0)'", pythonTrials);
            out.add(new Figure("local.python_trials_per_s", py.trialsPerSecond(), "trials/s"));
            out.add(new Figure("local.python_gap_ms_median", py.medianGapMillis(), "ms"));
        }
        return out;
    }

    private static Path folder(Optional<Path> workDir, String name) {
        try {
            if (workDir.isPresent()) {
                Files.createDirectories(workDir.get());
                return Files.createTempDirectory(workDir.get(), name);
            }
            return Files.createTempDirectory(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Three runs; the median of each figure. */
    static Result medianOfThree(Path dir, String name, String command, int trials) {
        List<Result> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(run(dir.resolve(name + i), command, trials));
        }
        double[] rates = runs.stream().mapToDouble(Result::trialsPerSecond).sorted().toArray();
        double[] gaps = runs.stream().mapToDouble(Result::medianGapMillis).sorted().toArray();
        return new Result(rates[1], gaps[1]);
    }

    /** Trials per second and the median exit-to-next-start gap of one run. */
    record Result(double trialsPerSecond, double medianGapMillis) {
    }

    /**
     * The cost of the hybrid layer: null {@code /bin/true} trials through {@code HybridPlatform(local)} and through
     * the local platform directly, alternating runs in one JVM (best of {@code rounds} each).
     */
    public static List<Figure> hybridOverhead(int trials, int rounds) {
        return hybridOverhead(trials, rounds, Optional.empty());
    }

    /** The hybrid layer's cost, keeping the runs' experiments under {@code workDir} (temporary when empty). */
    public static List<Figure> hybridOverhead(int trials, int rounds, Optional<Path> workDir) {
        Path dir = folder(workDir, "hybrid-overhead");
        run(dir.resolve("warmup-direct"), "/bin/true", 100, false);
        run(dir.resolve("warmup-hybrid"), "/bin/true", 100, true);
        double direct = 0;
        double hybrid = 0;
        for (int r = 0; r < rounds; r++) {
            direct = Math.max(direct, run(dir.resolve("direct" + r), "/bin/true", trials, false).trialsPerSecond());
            hybrid = Math.max(hybrid, run(dir.resolve("hybrid" + r), "/bin/true", trials, true).trialsPerSecond());
        }
        return List.of(new Figure("local.direct_trials_per_s", direct, "trials/s"),
                new Figure("hybrid.local_trials_per_s", hybrid, "trials/s"),
                new Figure("hybrid.overhead_pct", 100 * (direct - hybrid) / direct, "%"));
    }

    static Result run(Path dir, String command, int trials) {
        return run(dir, command, trials, false);
    }

    static Result run(Path dir, String command, int trials, boolean throughHybrid) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalPlatform local = LocalPlatform.create(LocalPlatformOptions.of("speed", dir, command, dir, 2));
        dev.hybrid.platform.TrainingPlatform platform = throughHybrid
                ? dev.hybrid.platform.HybridPlatform.of(local) : local;
        try (Experiment experiment = Experiment.builder()
                .searchSpace(SearchSpace.of(new Uniform("x", 0, 1)))
                .tuner("Random", Map.of("seed", 1))
                .trialConcurrency(2)
                .maxTrialNumber(trials)
                .platform(platform)
                .workingDirectory(dir)
                .build()) {
            ExperimentHandle handle = experiment.start();
            if (!handle.awaitCompletion(Duration.ofMinutes(10))) {
                throw new IllegalStateException("the speed run did not finish in 10 minutes");
            }
            List<Trial> done = handle.trials();
            long failed = done.stream().filter(t -> t.status() != TrialStatus.SUCCEEDED).count();
            if (failed > 0) {
                throw new IllegalStateException(failed + " of " + done.size() + " null trials did not succeed: "
                        + done.stream().filter(t -> t.status() != TrialStatus.SUCCEEDED).findFirst()
                                .map(Trial::message).orElse(""));
            }
            List<Instant> starts = done.stream().map(t -> t.started().orElseThrow()).sorted().toList();
            List<Instant> ends = done.stream().map(t -> t.ended().orElseThrow()).sorted().toList();
            double seconds = Duration.between(starts.get(0), ends.get(ends.size() - 1)).toNanos() / 1e9;
            List<Double> gaps = new ArrayList<>();
            int s = 0;
            for (Instant end : ends) {
                while (s < starts.size() && starts.get(s).isBefore(end)) {
                    s++;
                }
                if (s == starts.size()) {
                    break;
                }
                gaps.add(Duration.between(end, starts.get(s)).toNanos() / 1e6);
                s++;
            }
            gaps.sort(Comparator.naturalOrder());
            double median = gaps.isEmpty() ? Double.NaN : gaps.get(gaps.size() / 2);
            return new Result(done.size() / seconds, median);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The path of the interpreter {@code python3} on the PATH runs, if there is one. */
    private static Optional<String> realPython() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 && !out.isEmpty() ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Prints the figures, one {@code name value unit} line each. */
    public static void main(String[] args) {
        dev.hybrid.cli.HybridCommand.fastProcessLaunch();
        int shell = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int python = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        for (Figure f : figures(shell, python)) {
            System.out.println(f.line());
        }
        for (Figure f : hybridOverhead(shell, 3)) {
            System.out.println(f.line());
        }
    }
}
