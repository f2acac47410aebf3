package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.trial.TrialId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hyperband's brackets of successive halving, shared by {@link HyperbandAdvisor} and {@link BohbAdvisor}.
 *
 * <p>With {@code sMax} the number of halvings, bracket {@code s} (from {@code sMax} down to 0, then again from
 * {@code sMax}) starts {@code n = ceil((sMax + 1) · eta^s / (s + 1))} configurations at budget
 * {@code maxBudget / eta^s}; rung {@code i} runs the best {@code floor(n / eta^i)} of rung {@code i − 1} at
 * {@code eta^i} times that budget, up to {@code maxBudget} at rung {@code s}. A rung is promoted once every one of its
 * trials has ended; trials that ended without a result are not promoted. The schedule decides budgets only: the
 * advisor fills each new configuration itself.
 *
 * <p>With {@code parallel} (NNI's {@code exec_mode: parallelism}), a slot that finds nothing to run opens the next
 * bracket; otherwise ({@code serial}) it waits until the open bracket has finished. Not thread-safe.
 */
final class BracketSchedule {
    /** NNI's epsilon against floating-point error in the bracket arithmetic. */
    private static final double EPSILON = 1e-6;

    /**
     * One run of a configuration at one budget. {@code config} excludes the budget key; null until assigned.
     * {@code index} is the configuration's place in its bracket's first rung, kept by its promotions.
     */
    static final class Run {
        final Bracket bracket;
        final int rung;
        final int index;
        Parameters config;
        boolean ended;
        boolean hasLoss;
        double loss;

        Run(Bracket bracket, int rung, int index, Parameters config) {
            this.bracket = bracket;
            this.rung = rung;
            this.index = index;
            this.config = config;
        }

        double budget() {
            return bracket.budgets[rung];
        }
    }

    /**
     * One bracket: its rungs' sizes and budgets, the runs of each rung and those waiting to be started. {@code serial}
     * counts the brackets this schedule has opened, from 0.
     */
    static final class Bracket {
        final int serial;
        final int s;
        final int[] sizes;
        final double[] budgets;
        final List<List<Run>> rungs = new ArrayList<>();
        final Deque<Run> waiting = new ArrayDeque<>();
        int rung;
        boolean finished;

        Bracket(int serial, int s, int[] sizes, double[] budgets) {
            this.serial = serial;
            this.s = s;
            this.sizes = sizes;
            this.budgets = budgets;
        }
    }

    private final int sMax;
    private final double eta;
    private final double maxBudget;
    private final boolean parallel;
    private final boolean integerBudgets;
    private final List<Bracket> open = new ArrayList<>();
    private final Map<TrialId, Run> runs = new HashMap<>();
    private int nextS;
    private int opened;

    /**
     * @param sMax how many times a bracket may halve, at least 0
     * @param eta the halving rate, greater than 1
     * @param maxBudget the largest budget, given to a configuration at the last rung
     * @param parallel whether an idle slot opens a new bracket instead of waiting for the open one
     * @param integerBudgets whether budgets are rounded down to integers (Hyperband) or kept as they are (BOHB)
     */
    BracketSchedule(int sMax, double eta, double maxBudget, boolean parallel, boolean integerBudgets) {
        if (sMax < 0 || !(eta > 1) || !(maxBudget > 0)) {
            throw new IllegalArgumentException("sMax >= 0, eta > 1 and maxBudget > 0 must hold, were " + sMax + ", "
                    + eta + ", " + maxBudget);
        }
        this.sMax = sMax;
        this.eta = eta;
        this.maxBudget = maxBudget;
        this.parallel = parallel;
        this.integerBudgets = integerBudgets;
        this.nextS = sMax;
    }

    /** NNI's {@code s_max}: {@code floor(log_eta(max / min))}. */
    static int halvings(double minBudget, double maxBudget, double eta) {
        return (int) Math.floor(Math.log(maxBudget / minBudget) / Math.log(eta) + EPSILON);
    }

    /**
     * The next run to start: a promotion (its configuration set), or a new configuration of a bracket's first rung
     * (configuration null, for the caller to fill); empty when a serial schedule waits for its open bracket.
     */
    Optional<Run> next() {
        promoteFinishedRungs();
        for (Bracket b : open) {
            if (!b.waiting.isEmpty()) {
                return Optional.of(b.waiting.removeFirst());
            }
        }
        if (!parallel && !open.isEmpty()) {
            return Optional.empty();
        }
        Bracket b = newBracket();
        open.add(b);
        return Optional.of(b.waiting.removeFirst());
    }

    /** Records that {@code trial} runs {@code run} with {@code config} (without the budget key). */
    void started(TrialId trial, Run run, Parameters config) {
        run.config = config;
        runs.put(trial, run);
    }

    /** The run of a trial this schedule started; empty for unknown trials. */
    Optional<Run> run(TrialId trial) {
        return Optional.ofNullable(runs.get(trial));
    }

    /** A trial's loss (smaller is better); unknown trials are ignored. Credited even after the trial's end. */
    void result(TrialId trial, double loss) {
        Run r = runs.get(trial);
        if (r != null) {
            r.loss = loss;
            r.hasLoss = true;
        }
    }

    /** A trial ended, with or without a result; unknown trials are ignored. */
    void ended(TrialId trial) {
        Run r = runs.get(trial);
        if (r != null) {
            r.ended = true;
        }
    }

    /**
     * Places a trial of an earlier run of the experiment (on resume) where the schedule would have put it: as the
     * promotion waiting for its configuration at its budget, else as a new configuration of the open bracket whose
     * first rung has room at that budget, else as the first configuration of the next bracket if that starts at its
     * budget. The trial counts as ended with {@code loss}. Returns false, placing nothing, when it fits nowhere (a
     * result imported from another experiment, or of a trial that another run's schedule placed differently).
     */
    boolean replay(TrialId trial, Parameters config, double budget, double loss) {
        promoteFinishedRungs();
        Run placed = null;
        for (Bracket b : open) {
            for (Iterator<Run> it = b.waiting.iterator(); it.hasNext() && placed == null; ) {
                Run r = it.next();
                if (sameBudget(r.budget(), budget) && (r.config == null || r.config.equals(config))) {
                    it.remove();
                    placed = r;
                }
            }
            if (placed != null) {
                break;
            }
        }
        if (placed == null) {
            int s = nextS;
            double first = budgetAt(s, 0);
            if (!sameBudget(first, budget)) {
                return false;
            }
            Bracket b = newBracket();
            open.add(b);
            placed = b.waiting.removeFirst();
        }
        started(trial, placed, config);
        placed.ended = true;
        placed.hasLoss = true;
        placed.loss = loss;
        return true;
    }

    private static boolean sameBudget(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    }

    private Bracket newBracket() {
        int s = nextS;
        nextS = s == 0 ? sMax : s - 1;
        double n = Math.ceil((sMax + 1) * Math.pow(eta, s) / (s + 1) - EPSILON);
        int[] sizes = new int[s + 1];
        double[] budgets = new double[s + 1];
        for (int i = 0; i <= s; i++) {
            sizes[i] = (int) Math.floor(n / Math.pow(eta, i) + EPSILON);
            budgets[i] = budgetAt(s, i);
        }
        Bracket b = new Bracket(opened++, s, sizes, budgets);
        List<Run> first = new ArrayList<>();
        for (int k = 0; k < sizes[0]; k++) {
            Run r = new Run(b, 0, k, null);
            first.add(r);
            b.waiting.addLast(r);
        }
        b.rungs.add(first);
        return b;
    }

    /** The budget of rung {@code i} of bracket {@code s}: NNI's {@code r · eta^i} with {@code r = max / eta^s}. */
    private double budgetAt(int s, int i) {
        double b = maxBudget / Math.pow(eta, s) * Math.pow(eta, i);
        return integerBudgets ? Math.max(1, Math.floor(b + EPSILON)) : b;
    }

    /** Promotes every open bracket whose current rung has ended; closes brackets with nothing left to run. */
    private void promoteFinishedRungs() {
        for (Iterator<Bracket> it = open.iterator(); it.hasNext(); ) {
            Bracket b = it.next();
            while (!b.finished && b.waiting.isEmpty() && allEnded(b.rungs.get(b.rung))) {
                promote(b);
            }
            if (b.finished) {
                it.remove();
            }
        }
    }

    private static boolean allEnded(List<Run> rung) {
        for (Run r : rung) {
            if (!r.ended) {
                return false;
            }
        }
        return true;
    }

    private void promote(Bracket b) {
        if (b.rung >= b.s) {
            b.finished = true;
            return;
        }
        List<Run> ranked = new ArrayList<>();
        for (Run r : b.rungs.get(b.rung)) {
            if (r.hasLoss) {
                ranked.add(r);
            }
        }
        // stable: equal losses keep the order in which the configurations were started
        ranked.sort(Comparator.comparingDouble(r -> r.loss));
        int keep = Math.min(b.sizes[b.rung + 1], ranked.size());
        if (keep == 0) {
            b.finished = true;
            return;
        }
        b.rung++;
        List<Run> next = new ArrayList<>();
        for (int k = 0; k < keep; k++) {
            Run r = new Run(b, b.rung, ranked.get(k).index, ranked.get(k).config);
            next.add(r);
            b.waiting.addLast(r);
        }
        b.rungs.add(next);
    }
}
