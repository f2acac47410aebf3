package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import dev.hybrid.tuner.Suggestion;
import dev.hybrid.tuner.Tuner;
import dev.hybrid.tuner.UnsupportedSearchSpaceException;
import dev.hybrid.tuner.WarmStart;
import dev.hybrid.tuner.builtin.BracketSchedule.Run;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Hyperband and BOHB share: NNI's advisor protocol on top of a {@link BracketSchedule}. Each trial's parameters
 * are a configuration plus its budget under {@link #BUDGET_KEY}; a promotion runs the same configuration again, as a
 * new trial, with a larger budget. Ranks by the final result (losses are negated values when maximising; NaN is the
 * worst). Results and ends of trials it did not suggest are ignored; earlier results given through
 * {@link #addPriorResult} rebuild the schedule (see {@link BracketSchedule#replay}) and teach the model.
 */
abstract class BracketAdvisor implements Tuner, WarmStart {
    /** The parameter that carries a trial's budget, as NNI's advisors name it. */
    public static final String BUDGET_KEY = "TRIAL_BUDGET";

    private final OptimizeMode mode;
    private BracketSchedule schedule;
    private SearchSpace space;

    BracketAdvisor(OptimizeMode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The advisor's NNI name, for messages. */
    abstract String name();

    /** A fresh schedule, for a new search space. */
    abstract BracketSchedule newSchedule();

    /** Prepares the configuration model for a new space (already checked). */
    abstract void useSpace(SearchSpace space);

    /** A new configuration for the first rung of a bracket, which starts at {@code budget}. */
    abstract Parameters newConfiguration(double budget);

    /** Learns a configuration's loss at a budget. */
    abstract void learn(Parameters config, double budget, double loss);

    /** The budget as a trial receives it: an integer for Hyperband, a float for BOHB (NNI's types). */
    abstract Object budgetValue(double budget);

    /** The largest budget, which a result without a budget (import data) is taken to have been run with. */
    abstract double maxBudget();

    @Override
    public final Optional<OptimizeMode> optimizeMode() {
        return Optional.of(mode);
    }

    /**
     * Sets the space and starts the schedule afresh.
     *
     * @throws UnsupportedSearchSpaceException if a parameter is named {@value #BUDGET_KEY}, which would clash with the
     *     budget
     */
    @Override
    public final void updateSearchSpace(SearchSpace newSpace) {
        Objects.requireNonNull(newSpace, "space");
        rejectBudgetKey(newSpace);
        this.space = newSpace;
        this.schedule = newSchedule();
        useSpace(newSpace);
    }

    private void rejectBudgetKey(SearchSpace s) {
        for (ParameterSpec p : s.parameters()) {
            if (p.name().equals(BUDGET_KEY)) {
                throw new UnsupportedSearchSpaceException(name(), p.name(), p.nniType(),
                        "the advisor passes the budget as the parameter " + BUDGET_KEY + "; rename it");
            }
            if (p instanceof Choice c) {
                for (ChoiceOption o : c.options()) {
                    if (o instanceof ChoiceOption.Nested n) {
                        rejectBudgetKey(n.space());
                    }
                }
            }
        }
    }

    /**
     * The next run of the schedule: a promotion or a new configuration, with its budget; {@link Suggestion.Later}
     * while a serial schedule waits for its bracket's rung to end. Never {@link Suggestion.Done}: brackets repeat
     * until the experiment's budget ends it, as in NNI.
     *
     * @throws IllegalStateException before the first {@link #updateSearchSpace}
     */
    @Override
    public final Suggestion suggest(TrialId trial) {
        if (space == null) {
            throw new IllegalStateException("suggest before updateSearchSpace");
        }
        Optional<Run> next = schedule.next();
        if (next.isEmpty()) {
            return new Suggestion.Later();
        }
        Run run = next.get();
        Parameters config = run.config != null ? run.config : newConfiguration(run.budget());
        schedule.started(trial, run, config);
        Map<String, Object> values = new LinkedHashMap<>(config.values());
        values.put(BUDGET_KEY, budgetValue(run.budget()));
        return new Suggestion.Next(new Parameters(values));
    }

    @Override
    public final void onResult(TrialId trial, Parameters parameters, double value) {
        if (schedule == null) {
            return;
        }
        Optional<Run> run = schedule.run(trial);
        if (run.isEmpty()) {
            return;
        }
        double loss = loss(value);
        schedule.result(trial, loss);
        learn(run.get().config, run.get().budget(), loss);
    }

    @Override
    public final void onTrialEnd(TrialId trial, TrialStatus status) {
        if (schedule != null) {
            schedule.ended(trial);
        }
    }

    /**
     * A result of an earlier run of the experiment, or imported: the configuration (its parameters less
     * {@value #BUDGET_KEY}) teaches the model at its budget (the largest when it has none) and takes its place in the
     * schedule where it fits, so that a resumed experiment continues its brackets instead of starting them again.
     */
    @Override
    public final void addPriorResult(TrialId trial, Parameters parameters, double value) {
        if (schedule == null) {
            return;
        }
        Map<String, Object> values = new LinkedHashMap<>(parameters.values());
        Object b = values.remove(BUDGET_KEY);
        double budget = b instanceof Number n ? n.doubleValue() : maxBudget();
        Parameters config = new Parameters(values);
        double loss = loss(value);
        schedule.replay(trial, config, budget, loss);
        learn(config, budget, loss);
    }

    private double loss(double value) {
        if (Double.isNaN(value)) {
            return Double.POSITIVE_INFINITY;
        }
        return mode == OptimizeMode.MAXIMIZE ? -value : value;
    }
}
