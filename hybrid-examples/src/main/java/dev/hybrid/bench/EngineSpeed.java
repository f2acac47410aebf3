package dev.hybrid.bench;

import dev.hybrid.Experiment;
import dev.hybrid.ExperimentHandle;
import dev.hybrid.ExperimentStatus;
import dev.hybrid.ExperimentSummary;
import dev.hybrid.config.ConfigNode;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.TunerProvider;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Measures the experiment engine itself: how many no-op in-process trials (each reports a final 0.0 and returns)
 * one experiment runs per second, so that the loop, the in-process platform and the bookkeeping are what is timed,
 * not the trials. Every trial is recorded as usual. A warm-up experiment runs first so that the JIT has compiled
 * the hot paths.
 *
 * <p>Run {@code main} with optional arguments {@code [trials] [concurrency] [tunerName]}; it prints
 * {@code engine.noop_trials_per_s <value> trials/s}. Without a tuner name it uses the built-in {@code Random} tuner
 * when one is registered, and otherwise a minimal local tuner.
 */
public final class EngineSpeed {
    /** The default number of timed trials. */
    public static final int DEFAULT_TRIALS = 200_000;
    /** The default trial concurrency. */
    public static final int DEFAULT_CONCURRENCY = 8;

    private static final SearchSpace SPACE = SearchSpace.of(new Uniform("x", 0, 1));

    private EngineSpeed() {
    }

    /** The outcome of one timed experiment. */
    public record Run(int trials, Duration elapsed, double trialsPerSecond) {
    }

    /**
     * Runs a warm-up experiment, then a timed one of {@code trials} no-op trials at {@code concurrency}, each with a
     * fresh tuner from {@code tuners}, and returns the timed run's trials per second.
     *
     * @throws IllegalStateException if an experiment does not end {@code DONE} within its time limit
     */
    public static double trialsPerSecond(Supplier<? extends Tuner> tuners, int concurrency, int trials)
            throws InterruptedException {
        run(tuners.get(), concurrency, Math.max(1, Math.min(trials, 100_000)));
        return run(tuners.get(), concurrency, trials).trialsPerSecond();
    }

    /**
     * Runs one experiment of {@code trials} no-op trials at {@code concurrency} with {@code tuner} and times it from
     * start to completion.
     *
     * @throws IllegalStateException if it does not end {@code DONE} within a generous limit
     */
    public static Run run(Tuner tuner, int concurrency, int trials) throws InterruptedException {
        Objects.requireNonNull(tuner, "tuner");
        try (Experiment experiment = Experiment.builder().name("engine-speed").searchSpace(SPACE).tuner(tuner)
                .seed(1).trialConcurrency(concurrency).maxTrialNumber(trials)
                .trialFunction((parameters, reporter) -> reporter.reportFinal(0.0)).build()) {
            long t0 = System.nanoTime();
            ExperimentHandle handle = experiment.start();
            Duration limit = Duration.ofSeconds(60).plusMillis(trials);
            if (!handle.awaitCompletion(limit)) {
                throw new IllegalStateException("engine speed run did not finish within " + limit + ": "
                        + handle.summary());
            }
            long nanos = System.nanoTime() - t0;
            ExperimentSummary summary = handle.summary();
            if (summary.status() != ExperimentStatus.DONE || summary.trialCount() != trials
                    || summary.count(TrialStatus.SUCCEEDED) != trials) {
                throw new IllegalStateException("engine speed run did not run every trial: " + summary);
            }
            return new Run(trials, Duration.ofNanos(nanos), trials / (nanos / 1e9));
        }
    }

    /** A tuner that proposes a uniformly random {@code x} and ignores results: the cheapest honest tuner. */
    public static Tuner minimalTuner(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return new Tuner() {
            @Override
            public void updateSearchSpace(SearchSpace space) {
            }

            @Override
            public Suggestion suggest(TrialId trial) {
                return new Suggestion.Next(new Parameters(Map.of("x", random.nextDouble())));
            }

            @Override
            public void onResult(TrialId trial, Parameters parameters, double value) {
            }
        };
    }

    /** A supplier of registered tuners named {@code name}, built with default arguments, if one is registered. */
    static Supplier<Tuner> registered(String name) {
        for (TunerProvider p : ServiceLoader.load(TunerProvider.class)) {
            if (p.name().equals(name)) {
                return () -> {
                    Problems problems = new Problems();
                    Tuner t = p.create(ConfigNode.empty(FieldPath.of("tuner.classArgs"), problems),
                            TunerContext.seeded(1));
                    problems.throwIfAny();
                    return t;
                };
            }
        }
        return null;
    }

    public static void main(String[] args) throws InterruptedException {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_TRIALS;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_CONCURRENCY;
        String name = args.length > 2 ? args[2] : "Random";
        Supplier<Tuner> tuners = registered(name);
        if (tuners == null) {
            if (args.length > 2) {
                throw new IllegalArgumentException("no tuner registered as '" + name + "'");
            }
            name = "minimal";
            tuners = () -> minimalTuner(1);
        }
        double rate = trialsPerSecond(tuners, concurrency, trials);
        System.err.printf(Locale.ROOT, "%d trials, concurrency %d, tuner %s%n", trials, concurrency, name);
        System.out.printf(Locale.ROOT, "engine.noop_trials_per_s %.0f trials/s%n", rate);
    }
}
