package dev.hybrid.bench;

import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Per-suggestion time as the history grows, as the benchmark README defines it: a 10-D space
 * {@code x0..x9 ~ uniform[-5, 5]}, objective {@code Σ (x_i − 1)²}, trials run one after another; the figure for
 * {@code n} is the median time of the suggest calls of trials {@code n−9..n}. The whole run is done twice in the same
 * JVM and only the second pass is reported, so the figures are for warmed-up code.
 */
public final class SpeedBenchmark {
    /** The history sizes reported. */
    public static final List<Integer> SIZES = List.of(100, 500, 1000, 2000);

    private final String label;
    private final LongFunction<Tuner> tuners;
    private final int trials;
    private final List<Integer> sizes;

    /**
     * @param label the figure prefix, e.g. {@code tpe}
     * @param tuners makes a fresh tuner for a seed
     * @param trials how many trials each pass runs (2000 for the protocol; figures above it are left out)
     */
    public SpeedBenchmark(String label, LongFunction<Tuner> tuners, int trials) {
        this(label, tuners, trials, SIZES);
    }

    /**
     * @param label the figure prefix, e.g. {@code gp}
     * @param tuners makes a fresh tuner for a seed
     * @param trials how many trials each pass runs
     * @param sizes the history sizes reported (those above {@code trials} are left out)
     */
    public SpeedBenchmark(String label, LongFunction<Tuner> tuners, int trials, List<Integer> sizes) {
        this.label = label;
        this.tuners = tuners;
        this.trials = trials;
        this.sizes = List.copyOf(sizes);
    }

    /** The 10-D space of the speed protocol. */
    public static SearchSpace space() {
        List<dev.hybrid.space.ParameterSpec> specs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            specs.add(new Uniform("x" + i, -5, 5));
        }
        return new SearchSpace(specs);
    }

    /** Runs the warm-up pass and the measured pass; returns {@code <label>.suggest_ms@n} for each size reached. */
    public List<Figure> run() {
        pass(0);
        long[] nanos = pass(1);
        List<Figure> figures = new ArrayList<>();
        for (int n : sizes) {
            if (n > trials) {
                continue;
            }
            long[] window = Arrays.copyOfRange(nanos, Math.max(0, n - 10), n);
            Arrays.sort(window);
            double median = window.length % 2 == 1 ? window[window.length / 2]
                    : 0.5 * (window[window.length / 2 - 1] + window[window.length / 2]);
            figures.add(new Figure(String.format(Locale.ROOT, "%s.suggest_ms@%d", label, n), median / 1e6, "ms"));
        }
        return figures;
    }

    private long[] pass(long seed) {
        Tuner tuner = tuners.apply(seed);
        tuner.updateSearchSpace(space());
        long[] nanos = new long[trials];
        for (int t = 0; t < trials; t++) {
            TrialId id = TrialId.of("speed-" + t);
            long t0 = System.nanoTime();
            Suggestion s = tuner.suggest(id);
            nanos[t] = System.nanoTime() - t0;
            if (!(s instanceof Suggestion.Next next)) {
                throw new BenchException("the tuner stopped proposing at trial " + t + ": " + s);
            }
            Parameters p = next.parameters();
            double f = 0;
            for (int i = 0; i < 10; i++) {
                double d = p.getDouble("x" + i) - 1;
                f += d * d;
            }
            tuner.onResult(id, p, f);
            tuner.onTrialEnd(id, TrialStatus.SUCCEEDED);
        }
        return nanos;
    }
}
