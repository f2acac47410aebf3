package dev.hybrid.bench;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.cli.HybridCommand;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.store.SqliteExperimentStore;
import dev.hybrid.store.StoredExperiment;
import dev.hybrid.trial.Metric;
import dev.hybrid.trial.MetricType;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialSpec;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Measures the SQLite experiment store.
 *
 * <ul>
 *   <li>{@code store.metrics_per_s}: intermediate metrics recorded durably per second through the experiment
 *       thread, from in-process trials that each report many, in an experiment kept in SQLite;</li>
 *   <li>{@code store.trials_top10_ms}: how long {@code hybrid trials ID --top 10} takes on an experiment of
 *       {@code bigTrials} trials and {@code bigTrials * metricsPerBigTrial} metrics (written first, directly
 *       through the store).</li>
 * </ul>
 *
 * <p>Run {@code main} with optional arguments {@code [trials] [metricsPerTrial] [bigTrials] [metricsPerBigTrial]}
 * (defaults 200, 1000, 100000, 10); it prints {@code name value unit} lines and works in a temporary directory that
 * it deletes.
 */
public final class StoreSpeed {
    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));

    private StoreSpeed() {
    }

    /** One timed experiment: how many metrics it recorded and how long it took. */
    public record MetricRun(long metrics, Duration elapsed, double metricsPerSecond) {
    }

    /**
     * Runs an experiment of {@code trials} in-process trials at concurrency 8, each reporting
     * {@code metricsPerTrial} intermediate metrics and a final one, kept in SQLite under {@code workDir}.
     *
     * @throws IllegalStateException if it does not end {@code DONE} with every trial succeeded
     */
    public static MetricRun metrics(Path workDir, String id, int trials, int metricsPerTrial)
            throws InterruptedException {
        try (Experiment experiment = Experiment.builder().experimentId(id).workingDirectory(workDir)
                .searchSpace(SPACE).tuner(EngineSpeed.minimalTuner(1)).seed(1).trialConcurrency(8)
                .maxTrialNumber(trials).trialFunction((parameters, reporter) -> {
                    for (int i = 0; i < metricsPerTrial; i++) {
                        reporter.reportIntermediate(i * 0.001);
                    }
                    reporter.reportFinal(parameters.getDouble("x"));
                }).build()) {
            long t0 = System.nanoTime();
            ExperimentHandle handle = experiment.start();
            Duration limit = Duration.ofMinutes(10);
            if (!handle.awaitCompletion(limit)) {
                throw new IllegalStateException("store speed run did not finish within " + limit);
            }
            long nanos = System.nanoTime() - t0;
            ExperimentSummary s = handle.summary();
            if (s.status() != ExperimentStatus.DONE || s.count(TrialStatus.SUCCEEDED) != trials) {
                throw new IllegalStateException("store speed run did not run every trial: " + s);
            }
            long metrics = (long) trials * (metricsPerTrial + 1);
            return new MetricRun(metrics, Duration.ofNanos(nanos), metrics / (nanos / 1e9));
        }
    }

    /** Writes an ended experiment of {@code trials} trials with {@code metricsPerTrial} metrics each (one final). */
    public static void writeBigExperiment(Path experimentDir, int trials, int metricsPerTrial) {
        SplittableRandom random = new SplittableRandom(7);
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (SqliteExperimentStore store = SqliteExperimentStore.forWriting(experimentDir)) {
            store.open();
            store.saveExperiment(new StoredExperiment(experimentDir.getFileName().toString(), Optional.of("big"),
                    "{}", OptimizeMode.MAXIMIZE, ExperimentStatus.DONE, Optional.of(t0), Optional.of(t0),
                    Duration.ofHours(1), 0));
            for (int i = 0; i < trials; i++) {
                TrialId id = new TrialId(String.format(Locale.ROOT, "t%07d", i));
                double x = random.nextDouble();
                Instant at = t0.plusMillis(i);
                store.trialSubmitted(new TrialSpec(id, i, i, new Parameters(Map.of("x", x, "lr", random.nextDouble(),
                        "layers", random.nextInt(1, 8)))), "local", 1, at);
                store.trialStarted(id, at);
                for (int m = 0; m < metricsPerTrial - 1; m++) {
                    store.metricReported(id, new Metric(MetricType.PERIODICAL, m, Double.toString(x * m), at),
                            Optional.empty());
                }
                store.metricReported(id, Metric.of(MetricType.FINAL, 0, x, at), Optional.of(x));
                store.trialEnded(id, TrialStatus.SUCCEEDED, Optional.of(0), "", at);
                if (i % 10_000 == 9_999) {
                    store.commit();
                }
            }
        }
    }

    /** Runs {@code hybrid trials ID --top 10} in this JVM and returns how long it took; its output is discarded. */
    public static Duration topTenCommand(Path workDir, String id) {
        PrintStream old = System.out;
        StringWriter sink = new StringWriter();
        PrintStream quiet = new PrintStream(new java.io.ByteArrayOutputStream());
        System.setOut(quiet);
        try {
            var cl = HybridCommand.commandLine();
            cl.setOut(new PrintWriter(sink));
            long t0 = System.nanoTime();
            int code = cl.execute("trials", id, "--work-dir", workDir.toString(), "--top", "10");
            long nanos = System.nanoTime() - t0;
            if (code != 0) {
                throw new IllegalStateException("hybrid trials failed with exit code " + code);
            }
            return Duration.ofNanos(nanos);
        } finally {
            System.setOut(old);
        }
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int perTrial = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int bigTrials = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        int perBigTrial = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path work = Files.createTempDirectory("hybrid-store-speed");
        try {
            metrics(work, "warmup", Math.max(1, trials / 4), perTrial);
            MetricRun run = metrics(work, "timed", trials, perTrial);
            System.err.printf(Locale.ROOT, "%d trials x %d metrics in %.2f s%n", trials, perTrial + 1,
                    run.elapsed().toNanos() / 1e9);
            System.out.printf(Locale.ROOT, "store.metrics_per_s %.0f metrics/s%n", run.metricsPerSecond());

            long t0 = System.nanoTime();
            writeBigExperiment(work.resolve("big"), bigTrials, perBigTrial);
            System.err.printf(Locale.ROOT, "wrote %d trials and %d metrics in %.1f s%n", bigTrials,
                    (long) bigTrials * perBigTrial, (System.nanoTime() - t0) / 1e9);
            Duration first = topTenCommand(work, "big");
            Duration second = topTenCommand(work, "big");
            System.out.printf(Locale.ROOT, "store.trials_top10_ms %.1f ms%n", first.toNanos() / 1e6);
            System.out.printf(Locale.ROOT, "store.trials_top10_warm_ms %.1f ms%n", second.toNanos() / 1e6);
        } finally {
            deleteTree(work);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
