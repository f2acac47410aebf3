package dev.hybrid.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.assessor.Verdict;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Assessor} must show, run against each implementation by a subclass:
 * <pre>{@code
 * class MedianstopAssessorContractTest extends AssessorContract {
 *     @Override protected Assessor newAssessor() { return new MedianstopAssessor(); }
 * }
 * }</pre>
 * It replays experiments as the experiment thread would: several trials running at once, each intermediate result
 * followed by {@code assess} with the trial's results so far, a {@link Verdict#BAD} verdict ending that trial
 * {@code EARLY_STOPPED}, other trials ending {@code SUCCEEDED}, {@code FAILED} or cancelled. It checks that empty
 * result lists and unknown trial ids are judged without error (an empty list is {@code GOOD}); that NaN and
 * ±Infinity results are accepted; that ends of unknown trials, repeated ends and results after an end change nothing
 * or are harmless; that equal inputs give equal verdicts, whether the caller passes a fresh list each time or grows one
 * list in place; that every verdict is {@code GOOD} until a trial has succeeded
 * ({@link #isGoodBeforeAnyCompletedTrial()}); and that a clearly poor trial is stopped while a strong one is not
 * ({@link #stopsClearlyPoorTrials()}, with {@link #strongCurve()} and {@link #poorCurve()}).
 */
public abstract class AssessorContract {
    /** Results per trial in the default curves. */
    protected static final int STEPS = 20;

    /** A new assessor, configured as the subclass wishes (its optimize mode must match the curves' direction). */
    protected abstract Assessor newAssessor();

    /**
     * Whether every verdict is {@code GOOD} until some trial has ended {@link TrialStatus#SUCCEEDED}: trials that
     * failed, were cancelled or were stopped early do not count. True for NNI's Medianstop and Curvefitting.
     */
    protected boolean isGoodBeforeAnyCompletedTrial() {
        return true;
    }

    /**
     * Whether, once three trials following {@link #strongCurve()} have succeeded, the assessor stops a trial
     * following {@link #poorCurve()} before its last result, and never stops a fourth strong trial.
     */
    protected boolean stopsClearlyPoorTrials() {
        return true;
    }

    /**
     * A good learning curve in the assessor's direction. The default, for maximizing assessors, rises from 0.40 and
     * levels off near 0.90 at step 20 ({@code 0.95 - 0.55·x^-0.8}).
     */
    protected List<Double> strongCurve() {
        return curve(x -> 0.95 - 0.55 * Math.pow(x, -0.8));
    }

    /**
     * A clearly worse learning curve in the assessor's direction. The default rises from 0.20 and levels off below
     * 0.5 ({@code 0.5 - 0.3·x^-0.8}).
     */
    protected List<Double> poorCurve() {
        return curve(x -> 0.5 - 0.3 * Math.pow(x, -0.8));
    }

    /** {@link #STEPS} values of {@code f} at steps 1, 2, …. */
    protected static List<Double> curve(java.util.function.DoubleUnaryOperator f) {
        List<Double> out = new ArrayList<>();
        for (int x = 1; x <= STEPS; x++) {
            out.add(f.applyAsDouble(x));
        }
        return List.copyOf(out);
    }

    @Test
    void anEmptyResultListIsGoodForKnownAndUnknownTrials() {
        Assessor assessor = newAssessor();
        assertThat(assessor.assess(TrialId.of("nobody"), List.of())).isEqualTo(Verdict.GOOD);
        Replay e = new Replay(assessor);
        for (int i = 0; i < 3; i++) {
            e.run("strong-" + i, strongCurve(), TrialStatus.SUCCEEDED);
        }
        assertThat(assessor.assess(TrialId.of("nobody-else"), List.of())).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("strong-0"), List.of())).isEqualTo(Verdict.GOOD);
    }

    @Test
    void unknownTrialsAreJudgedWithoutError() {
        Assessor assessor = newAssessor();
        Replay e = new Replay(assessor);
        for (int i = 0; i < 3; i++) {
            e.run("strong-" + i, strongCurve(), TrialStatus.SUCCEEDED);
        }
        for (int n = 1; n <= STEPS; n++) {
            List<Double> prefix = poorCurve().subList(0, n);
            assertThat(assessor.assess(TrialId.of("stranger-" + n), prefix)).isNotNull();
        }
        List<Double> longer = new ArrayList<>(strongCurve());
        longer.addAll(strongCurve());
        longer.addAll(strongCurve());
        assertThat(assessor.assess(TrialId.of("long-stranger"), longer)).isNotNull();
    }

    @Test
    void nanAndInfiniteResultsAreAccepted() {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        List<List<Double>> odd = List.of(
                withEvery(strongCurve(), 3, nan),
                withEvery(strongCurve(), 4, inf),
                withEvery(poorCurve(), 5, -inf),
                constant(nan),
                constant(inf),
                constant(-inf),
                withEvery(withEvery(poorCurve(), 2, inf), 3, -inf));
        Assessor assessor = newAssessor();
        Replay e = new Replay(assessor);
        assertThatCode(() -> {
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < odd.size(); i++) {
                    e.run("odd-" + round + "-" + i, odd.get(i), TrialStatus.SUCCEEDED);
                }
            }
            e.runTogether(Map.of("odd-a", odd.get(0), "odd-b", odd.get(3), "plain", strongCurve()),
                    TrialStatus.SUCCEEDED);
            e.run("plain-after", strongCurve(), TrialStatus.SUCCEEDED);
            e.run("poor-after", poorCurve(), TrialStatus.SUCCEEDED);
        }).doesNotThrowAnyException();
        assertThat(e.transcript()).allSatisfy(line -> assertThat(line).isNotBlank());
    }

    @Test
    void endsOfUnknownTrialsChangeNothing() {
        List<String> plain = mixedExperiment(newAssessor(), false);
        List<String> noisy = mixedExperiment(newAssessor(), true);
        assertThat(noisy).isEqualTo(plain);
    }

    @Test
    void theSameResultsGiveTheSameVerdicts() {
        List<String> first = mixedExperiment(newAssessor(), false);
        List<String> second = mixedExperiment(newAssessor(), false);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void growingOneListInPlaceGivesTheSameVerdictsAsFreshLists() {
        List<String> fresh = mixedExperiment(newAssessor(), false);
        Replay reusing = new Replay(newAssessor());
        reusing.reuseLists = true;
        List<String> reused = mixedExperiment(reusing, false);
        assertThat(reused).isEqualTo(fresh);
    }

    @Test
    void resultsAfterATrialEndedAndRepeatedEndsAreHarmless() {
        Assessor assessor = newAssessor();
        Replay e = new Replay(assessor);
        assertThatCode(() -> {
            for (int i = 0; i < 3; i++) {
                e.run("strong-" + i, strongCurve(), TrialStatus.SUCCEEDED);
                assessor.onTrialEnd(TrialId.of("strong-" + i), TrialStatus.SUCCEEDED);
                assessor.onTrialEnd(TrialId.of("strong-" + i), TrialStatus.FAILED);
            }
            assertThat(assessor.assess(TrialId.of("strong-0"), strongCurve())).isNotNull();
            assertThat(assessor.assess(TrialId.of("strong-1"), poorCurve())).isNotNull();
            e.run("after", strongCurve(), TrialStatus.SUCCEEDED);
        }).doesNotThrowAnyException();
    }

    @Test
    void everyVerdictIsGoodUntilATrialHasSucceeded() {
        Assumptions.assumeTrue(isGoodBeforeAnyCompletedTrial(), "the assessor judges without completed trials");
        Assessor assessor = newAssessor();
        Replay e = new Replay(assessor);
        TrialStatus[] unsuccessful = {TrialStatus.FAILED, TrialStatus.USER_CANCELED, TrialStatus.SYS_CANCELED,
            TrialStatus.EARLY_STOPPED};
        for (int i = 0; i < 8; i++) {
            e.run("unsuccessful-" + i, i % 2 == 0 ? strongCurve() : poorCurve(), unsuccessful[i % 4]);
        }
        Map<String, List<Double>> together = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            together.put("together-" + i, i % 2 == 0 ? poorCurve() : strongCurve());
        }
        e.runTogether(together, TrialStatus.FAILED);
        assertThat(e.verdicts()).isNotEmpty().containsOnly(Verdict.GOOD);
    }

    @Test
    void aClearlyPoorTrialIsStoppedAndAStrongOneIsNot() {
        Assumptions.assumeTrue(stopsClearlyPoorTrials(), "the assessor does not judge by these curves");
        Assessor assessor = newAssessor();
        Replay e = new Replay(assessor);
        for (int i = 0; i < 3; i++) {
            e.run("strong-" + i, strongCurve(), TrialStatus.SUCCEEDED);
        }
        e.clearVerdicts();
        assertThat(e.run("poor", poorCurve(), TrialStatus.SUCCEEDED))
                .as("the poor trial's verdicts").contains(Verdict.BAD);
        assertThat(e.run("strong-again", strongCurve(), TrialStatus.SUCCEEDED))
                .as("the strong trial's verdicts").containsOnly(Verdict.GOOD);
    }

    /**
     * Runs five strong and five poor trials, three at a time, some failing, some cancelled, each stopped at its first
     * {@code BAD}; with {@code noise}, ends of never-seen trials (every status) are sprinkled in.
     *
     * @return the transcript of every verdict
     */
    private List<String> mixedExperiment(Assessor assessor, boolean noise) {
        return mixedExperiment(new Replay(assessor), noise);
    }

    private List<String> mixedExperiment(Replay e, boolean noise) {
        TrialStatus[] statuses = TrialStatus.values();
        if (noise) {
            e.onStep = step -> {
                TrialId unknown = TrialId.of("never-assessed-" + step);
                e.assessor.onTrialEnd(unknown, statuses[step % statuses.length]);
            };
        }
        e.run("first", strongCurve(), TrialStatus.SUCCEEDED);
        for (int batch = 0; batch < 3; batch++) {
            Map<String, List<Double>> trials = new LinkedHashMap<>();
            trials.put("s" + batch, strongCurve());
            trials.put("p" + batch, poorCurve());
            trials.put("m" + batch, batch == 1 ? constant(Double.NaN) : mixture(batch));
            e.runTogether(trials, batch == 2 ? TrialStatus.FAILED : TrialStatus.SUCCEEDED);
        }
        e.run("last-strong", strongCurve(), TrialStatus.USER_CANCELED);
        e.run("last-poor", poorCurve(), TrialStatus.SUCCEEDED);
        return e.transcript();
    }

    /** Half strong, half poor, changing from one to the other at a step that depends on {@code k}. */
    private List<Double> mixture(int k) {
        List<Double> strong = strongCurve();
        List<Double> poor = poorCurve();
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < strong.size(); i++) {
            out.add(i < 5 + 3 * k ? poor.get(i) : strong.get(i));
        }
        return out;
    }

    private static List<Double> withEvery(List<Double> values, int every, double odd) {
        List<Double> out = new ArrayList<>(values);
        for (int i = every - 1; i < out.size(); i += every) {
            out.set(i, odd);
        }
        return out;
    }

    private static List<Double> constant(double v) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < STEPS; i++) {
            out.add(v);
        }
        return out;
    }

    /** Replays trials against an assessor as the experiment thread would, recording every verdict. */
    private static final class Replay {
        final Assessor assessor;
        final List<String> transcript = new ArrayList<>();
        final List<Verdict> verdicts = new ArrayList<>();
        boolean reuseLists;
        java.util.function.IntConsumer onStep = step -> {
        };
        int steps;

        Replay(Assessor assessor) {
            this.assessor = Objects.requireNonNull(assessor, "assessor");
        }

        /** Runs one trial alone; returns its verdicts. */
        List<Verdict> run(String id, List<Double> curve, TrialStatus end) {
            return runTogether(Map.of(id, curve), end).get(id);
        }

        /**
         * Runs trials side by side, one result of each in turn; a trial judged BAD ends EARLY_STOPPED at once, the
         * others end with {@code end} after their last result.
         */
        Map<String, List<Verdict>> runTogether(Map<String, List<Double>> trials, TrialStatus end) {
            Map<String, List<Verdict>> out = new LinkedHashMap<>();
            Map<String, List<Double>> sent = new HashMap<>();
            Set<String> stopped = new HashSet<>();
            List<String> ids = new ArrayList<>(trials.keySet());
            ids.sort(null);
            int longest = trials.values().stream().mapToInt(List::size).max().orElse(0);
            for (int step = 0; step < longest; step++) {
                for (String id : ids) {
                    List<Double> curve = trials.get(id);
                    if (stopped.contains(id) || step >= curve.size()) {
                        continue;
                    }
                    onStep.accept(steps++);
                    List<Double> soFar = sent.computeIfAbsent(id, k -> new ArrayList<>());
                    soFar.add(curve.get(step));
                    Verdict v = assessor.assess(TrialId.of(id), reuseLists ? soFar : List.copyOf(soFar));
                    Objects.requireNonNull(v, "verdict");
                    out.computeIfAbsent(id, k -> new ArrayList<>()).add(v);
                    verdicts.add(v);
                    transcript.add(id + "@" + (step + 1) + "=" + v);
                    if (v == Verdict.BAD) {
                        stopped.add(id);
                        assessor.onTrialEnd(TrialId.of(id), TrialStatus.EARLY_STOPPED);
                        transcript.add(id + " early stopped");
                    }
                }
            }
            for (String id : ids) {
                if (!stopped.contains(id)) {
                    assessor.onTrialEnd(TrialId.of(id), end);
                    transcript.add(id + " " + end);
                }
                out.putIfAbsent(id, new ArrayList<>());
            }
            return out;
        }

        List<String> transcript() {
            return List.copyOf(transcript);
        }

        List<Verdict> verdicts() {
            return List.copyOf(verdicts);
        }

        void clearVerdicts() {
            verdicts.clear();
        }
    }
}
