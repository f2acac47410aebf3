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
import java.nio.file.Path;
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
 *
 * <p>With a checkpoint folder (the {@code all_checkpoint_dir} classArg; none by default, as in NNI), each trial also
 * receives {@code save_checkpoint_dir}, {@code <all_checkpoint_dir>/<bracket>-<index>-<hash>/<rung>}, named after
 * its configuration (the bracket's serial number, the configuration's place in the bracket's first rung and a hash of
 * its values) and its rung, and {@code load_checkpoint_dir}: for a promoted configuration the folder its run on the
 * rung below saved to, for a new one its own save folder (which does not exist yet), as PBTTuner does. A trial that
 * saves its model there and, when the load folder holds one, resumes from it, trains only the epochs from the
 * checkpoint's to {@code TRIAL_BUDGET} instead of all of them.
 */
abstract class BracketAdvisor implements Tuner, WarmStart {
    /** The parameter that carries a trial's budget, as NNI's advisors name it. */
    public static final String BUDGET_KEY = "TRIAL_BUDGET";
    /** The parameter naming the folder a trial resumes from, when checkpoints are on (PBTTuner's name). */
    public static final String LOAD_CHECKPOINT_DIR = PbtTuner.LOAD_CHECKPOINT_DIR;
    /** The parameter naming the folder a trial saves to, when checkpoints are on (PBTTuner's name). */
    public static final String SAVE_CHECKPOINT_DIR = PbtTuner.SAVE_CHECKPOINT_DIR;

    private final OptimizeMode mode;
    /** Null when checkpoint folders are off. */
    private final Path checkpointDir;
    private BracketSchedule schedule;
    private SearchSpace space;

    /** An advisor that passes no checkpoint folders when {@code checkpointDir} is null. */
    BracketAdvisor(OptimizeMode mode, Path checkpointDir) {
        this.mode = Objects.requireNonNull(mode, "mode");
        if (checkpointDir != null && !checkpointDir.isAbsolute()) {
            throw new IllegalArgumentException("checkpointDir must be absolute (trials run in their own folders), was "
                    + checkpointDir);
        }
        this.checkpointDir = checkpointDir;
    }

    /** The folder under which trials save checkpoints; empty when checkpoint folders are off (the default). */
    public final Optional<Path> checkpointDir() {
        return Optional.ofNullable(checkpointDir);
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
     *     budget, or, with checkpoint folders on, like one of them
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
            boolean folderName = p.name().equals(LOAD_CHECKPOINT_DIR) || p.name().equals(SAVE_CHECKPOINT_DIR);
            if (checkpointDir != null && folderName) {
                throw new UnsupportedSearchSpaceException(name(), p.name(), p.nniType(),
                        "with all_checkpoint_dir the advisor passes the checkpoint folders under this name; rename it");
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
        if (checkpointDir != null) {
            values.put(LOAD_CHECKPOINT_DIR, checkpointFolder(run, Math.max(0, run.rung - 1)));
            values.put(SAVE_CHECKPOINT_DIR, checkpointFolder(run, run.rung));
        }
        return new Suggestion.Next(new Parameters(values));
    }

    /**
     * The folder of a configuration's run at {@code rung}. The hash (of the values, which Java specifies) keeps a
     * resumed experiment whose schedule placed configurations differently from loading another one's checkpoint.
     */
    private String checkpointFolder(Run run, int rung) {
        String configuration = run.bracket.serial + "-" + run.index + "-"
                + Integer.toHexString(run.config.values().hashCode());
        return checkpointDir.resolve(configuration).resolve(Integer.toString(rung)).toString();
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
        if (checkpointDir != null) {
            values.remove(LOAD_CHECKPOINT_DIR);
            values.remove(SAVE_CHECKPOINT_DIR);
        }
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
