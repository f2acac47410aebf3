package com.example.tuning;

import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import dev.hybrid.trial.TrialId;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.TunerContext;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small custom tuner: random points at first, then steps around the best result so far. It searches {@code uniform}
 * parameters only, and learns from the experiment whether larger or smaller results are better.
 */
public final class HillClimbTuner implements Tuner {
    private static final int RANDOM_START = 5;

    private SplittableRandom random = new SplittableRandom(0);
    private OptimizeMode mode = OptimizeMode.MAXIMIZE;
    private List<Uniform> space = List.of();
    private final Map<TrialId, Parameters> proposed = new HashMap<>();
    private Parameters best;
    private double bestValue = Double.NaN;
    private int results;

    @Override
    public void onStart(TunerContext context) {
        this.random = new SplittableRandom(context.seed());
        this.mode = context.optimizeMode();
    }

    @Override
    public void updateSearchSpace(SearchSpace newSpace) {
        for (ParameterSpec spec : newSpace.parameters()) {
            if (!(spec instanceof Uniform)) {
                throw new UnsupportedSearchSpaceException("HillClimb", spec.name(), spec.nniType(),
                        "only uniform parameters are searched");
            }
        }
        this.space = newSpace.parameters().stream().map(Uniform.class::cast).toList();
        this.best = null;
        this.bestValue = Double.NaN;
        this.results = 0;
    }

    @Override
    public Suggestion suggest(TrialId trial) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Uniform u : space) {
            double x;
            if (best == null || results < RANDOM_START) {
                x = u.low() + random.nextDouble() * (u.high() - u.low());
            } else {
                double step = 0.1 * (u.high() - u.low()) * (2 * random.nextDouble() - 1);
                x = Math.min(u.high(), Math.max(u.low(), best.getDouble(u.name()) + step));
            }
            values.put(u.name(), x);
        }
        Parameters p = new Parameters(values);
        proposed.put(trial, p);
        return new Suggestion.Next(p);
    }

    @Override
    public void onResult(TrialId trial, Parameters parameters, double value) {
        if (!proposed.containsKey(trial) || Double.isNaN(value)) {
            return;
        }
        results++;
        boolean better = Double.isNaN(bestValue)
                || (mode == OptimizeMode.MAXIMIZE ? value > bestValue : value < bestValue);
        if (better) {
            best = parameters;
            bestValue = value;
        }
    }
}
