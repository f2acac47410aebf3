package dev.hybrid.cli;

import dev.hybrid.bench.BenchProblem;
import dev.hybrid.bench.BenchRow;
import dev.hybrid.bench.BenchRunner;
import dev.hybrid.bench.Figure;
import dev.hybrid.bench.MultiFidelityProblem;
import dev.hybrid.bench.Objective;
import dev.hybrid.bench.SpeedBenchmark;
import dev.hybrid.bench.Trace;
import dev.hybrid.bench.TunerFactory;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.FieldPath;
import dev.hybrid.internal.json.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hybrid bench}: runs the tuner benchmark of {@code ../shared/bench/README.md} and writes the protocol CSV, or
 * with {@code --speed} prints the speed figures. The protocol's runs are 20 seeds × 200 trials, and 10 seeds × 100
 * trials for {@code svm_digits}; pass {@code --seeds}/{@code --budget} accordingly (one invocation per setting).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmarks a tuner on a problem suite (pending-queue protocol) and writes one CSV row per "
                + "problem, seed and checkpoint (25, 50, 100, 200).",
            "Protocol sizes: --seeds 20 --budget 200; svm_digits: --seeds 10 --budget 100."})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--suite", paramLabel = "DIR", description = "the suite folder, one sub-folder per problem")
    Path suite;

    @Option(names = "--problems", split = ",", paramLabel = "NAME",
            description = "problems to run (default: every problem folder of the suite; with --multi-fidelity,"
                    + " lc_hartmann6)")
    List<String> problems;

    @Option(names = "--tuner", defaultValue = "TPE", description = "the tuner's builtinTunerName (default ${DEFAULT-VALUE})")
    String tuner;

    @Option(names = "--class-args", paramLabel = "JSON", defaultValue = "{}",
            description = "classArgs as a JSON object, merged over {optimize_mode: minimize}; "
                    + "the run's seed is always injected as seed")
    String classArgs;

    @Option(names = "--seeds", defaultValue = "20", description = "runs with seeds 0..N-1 (default ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--budget", defaultValue = "200", description = "reported results per run (default ${DEFAULT-VALUE})")
    int budget;

    @Option(names = "--pending", defaultValue = "1",
            description = "configurations kept pending, FIFO (default ${DEFAULT-VALUE}; the parallel variant uses 4)")
    int pending;

    @Option(names = "--sampler", paramLabel = "LABEL", description = "the CSV's sampler label (default hybrid-<tuner>)")
    String sampler;

    @Option(names = "--out", paramLabel = "FILE.csv", description = "where to write the CSV")
    Path out;

    @Option(names = "--python", paramLabel = "EXE", defaultValue = "python3",
            description = "the Python that runs a problem's evaluate.py (default ${DEFAULT-VALUE})")
    String python;

    @Option(names = "--multi-fidelity", description = "run a multi-fidelity problem instead of a suite (--problems"
            + " lc_hartmann6, the default, or svm_digits_subset): --budget is the total budget in full-budget"
            + " evaluations (the protocol uses 100), and the rows give the best full-budget value at a tenth, a"
            + " quarter, half and all of it")
    boolean multiFidelity;

    @Option(names = "--evaluator", paramLabel = "FILE",
            description = "svm_digits_subset's evaluator (default hybrid-examples/bench-results/svm_digits_subset.py,"
                    + " from the checkout's root), run with --python")
    Path evaluator;

    @Option(names = "--speed", description = "print the speed figures (name value unit) instead")
    boolean speed;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "where --local-speed keeps the experiments it runs (default: a new temporary folder)")
    Path workDir;

    @Option(names = "--dashboard", description = "print the web dashboard's endpoint times on a stored experiment of"
            + " 10,000 trials and 1,000,000 metrics")
    boolean dashboard;

    @Option(names = "--local-speed", description = "print the local platform's null-trial figures (trials per second,"
            + " median exit-to-next-start gap; /bin/true and a Python nni trial at concurrency 2) instead")
    boolean localSpeed;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        if (dashboard) {
            for (Figure f : dev.hybrid.bench.DashboardSpeed.figures(10_000, 100, java.util.Optional.ofNullable(workDir))) {
                stdout.println(f.line());
            }
            stdout.flush();
            return HybridCommand.OK;
        }
        if (localSpeed) {
            for (Figure f : dev.hybrid.bench.LocalTrialSpeed.figures(1000, 200, java.util.Optional.ofNullable(workDir))) {
                stdout.println(f.line());
                stdout.flush();
            }
            for (Figure f : dev.hybrid.bench.LocalTrialSpeed.hybridOverhead(1000, 3,
                    java.util.Optional.ofNullable(workDir))) {
                stdout.println(f.line());
            }
            stdout.flush();
            return HybridCommand.OK;
        }
        if (speed) {
            for (Figure f : speedFigures()) {
                stdout.println(f.line());
            }
            stdout.flush();
            return HybridCommand.OK;
        }
        if (multiFidelity) {
            return runMultiFidelity();
        }
        if (suite == null || out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--suite and --out are required (or --speed)");
        }
        if (seeds < 1 || budget < 1 || pending < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seeds, --budget and --pending must be >= 1");
        }
        TunerFactory factory = new TunerFactory(tuner, parseClassArgs(classArgs));
        String label = sampler != null ? sampler : "hybrid-" + tuner.toLowerCase(Locale.ROOT);
        List<BenchProblem> selected = selectProblems();
        List<BenchRow> rows = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (BenchProblem problem : selected) {
            List<Double> finalRegrets = new ArrayList<>();
            try (Objective objective = problem.openObjective(python)) {
                for (long seed = 0; seed < seeds; seed++) {
                    Trace trace = BenchRunner.run(problem, factory.create(seed), objective, budget, pending);
                    List<BenchRow> runRows = BenchRow.of(problem.name(), label, seed, pending, problem.fStar(), trace);
                    rows.addAll(runRows);
                    if (!runRows.isEmpty()) {
                        finalRegrets.add(runRows.get(runRows.size() - 1).regret());
                    }
                }
            }
            err.printf(Locale.ROOT, "%-12s median regret at %d: %.4g%n", problem.name(), budget, median(finalRegrets));
            err.flush();
        }
        write(rows);
        return HybridCommand.OK;
    }

    private int runMultiFidelity() {
        if (out == null || seeds < 1 || budget < 4 || pending < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--multi-fidelity needs --out, --seeds >= 1, --budget >= 4 and --pending >= 1");
        }
        TunerFactory factory = new TunerFactory(tuner, parseClassArgs(classArgs));
        String label = sampler != null ? sampler : "hybrid-" + tuner.toLowerCase(Locale.ROOT);
        List<String> names = problems == null || problems.isEmpty()
                ? List.of(dev.hybrid.bench.LcHartmann6.NAME) : problems;
        for (String name : names) {
            if (!MultiFidelityProblem.NAMES.contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--multi-fidelity knows the problems "
                        + String.join(", ", MultiFidelityProblem.NAMES) + ", not '" + name + "'");
            }
        }
        Path script = evaluator != null ? evaluator : dev.hybrid.bench.ProcessMultiFidelityProblem.SVM_EVALUATOR;
        List<BenchRow> rows = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (String name : names) {
            List<Double> finalRegrets = new ArrayList<>();
            try (MultiFidelityProblem problem = MultiFidelityProblem.named(name, script, python)) {
                for (long seed = 0; seed < seeds; seed++) {
                    List<BenchRow> runRows = dev.hybrid.bench.MultiFidelityRunner.run(problem, factory.create(seed),
                            budget, pending, label, seed);
                    rows.addAll(runRows);
                    finalRegrets.add(runRows.get(runRows.size() - 1).regret());
                }
            }
            err.printf(Locale.ROOT, "%-17s median regret after %d full budgets: %.4g%n", name, budget,
                    median(finalRegrets));
            err.flush();
        }
        write(rows);
        return HybridCommand.OK;
    }

    /** The figures {@code --speed} prints; further sources add theirs here. */
    List<Figure> speedFigures() {
        TunerFactory tpe = new TunerFactory("TPE", Map.of());
        List<Figure> figures = new ArrayList<>(new SpeedBenchmark("tpe", tpe::create, 2000).run());
        // A GP's suggestion costs O(n³) in the history: its figures stop at 100 trials, the scale it is meant for.
        TunerFactory gp = new TunerFactory("GPTuner", Map.of());
        figures.addAll(new SpeedBenchmark("gp", gp::create, 100, List.of(25, 50, 100)).run());
        TunerFactory random = new TunerFactory("Random", Map.of());
        try {
            figures.add(new Figure("engine.noop_trials_per_s", dev.hybrid.bench.EngineSpeed.trialsPerSecond(
                    () -> random.create(1), dev.hybrid.bench.EngineSpeed.DEFAULT_CONCURRENCY,
                    dev.hybrid.bench.EngineSpeed.DEFAULT_TRIALS), "trials/s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return figures;
    }

    private List<BenchProblem> selectProblems() {
        if (!Files.isDirectory(suite)) {
            throw new ConfigException(FieldPath.of("--suite"), "not a folder: " + suite);
        }
        List<String> names = problems;
        if (names == null || names.isEmpty()) {
            try (Stream<Path> s = Files.list(suite)) {
                names = s.filter(p -> Files.isRegularFile(p.resolve("search_space.json")))
                        .map(p -> p.getFileName().toString()).sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        List<BenchProblem> out = new ArrayList<>();
        for (String name : names) {
            Path folder = suite.resolve(name.trim());
            if (!Files.isDirectory(folder)) {
                throw new ConfigException(FieldPath.of("--problems"), "no problem folder '" + name + "' in " + suite);
            }
            out.add(BenchProblem.load(folder));
        }
        return out;
    }

    private static Map<String, Object> parseClassArgs(String json) {
        try {
            Object plain = Json.toPlain(Json.readTree(json));
            if (plain instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) m;
                return map;
            }
        } catch (IOException e) {
            throw new ConfigException(FieldPath.of("--class-args"), "not valid JSON: " + e.getMessage());
        }
        throw new ConfigException(FieldPath.of("--class-args"), "must be a JSON object, was " + json);
    }

    private void write(List<BenchRow> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(BenchRow.HEADER);
        rows.forEach(r -> lines.add(r.csvLine()));
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(out, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : 0.5 * (a[a.length / 2 - 1] + a[a.length / 2]);
    }
}
