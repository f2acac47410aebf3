package dev.hybrid.assessor.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hybrid.assessor.Verdict;
import dev.hybrid.trial.TrialId;
import dev.hybrid.trial.TrialStatus;
import dev.hybrid.tuner.OptimizeMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class CurvefittingAssessorTest {
    private static final DoubleUnaryOperator STRONG = x -> 0.97 - 0.6 * Math.pow(x, -0.9); // 0.95 at step 20
    private static final DoubleUnaryOperator WEAK = x -> 0.5 - 0.3 * Math.pow(x, -0.9); // levels off below 0.5

    private int next;

    private static List<Double> curve(DoubleUnaryOperator f, int n) {
        List<Double> out = new ArrayList<>();
        for (int x = 1; x <= n; x++) {
            out.add(f.applyAsDouble(x));
        }
        return out;
    }

    /** Shows {@code values} one at a time, then ends the trial. */
    private void complete(CurvefittingAssessor assessor, TrialStatus status, List<Double> values) {
        TrialId id = TrialId.of("done-" + next++);
        for (int n = 1; n <= values.size(); n++) {
            assessor.assess(id, values.subList(0, n));
        }
        assessor.onTrialEnd(id, status);
    }

    /** The verdicts of a trial shown {@code values} one at a time, never stopped. */
    private static List<Verdict> verdicts(CurvefittingAssessor assessor, String id, List<Double> values) {
        List<Verdict> out = new ArrayList<>();
        for (int n = 1; n <= values.size(); n++) {
            out.add(assessor.assess(TrialId.of(id), values.subList(0, n)));
        }
        return out;
    }

    @Test
    void aCurveLevellingOffAtHalfIsBadWhenTheBestCompletedReached095() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        List<Verdict> weak = verdicts(assessor, "weak", curve(WEAK, 8));
        assertThat(weak.subList(0, 5)).as("before start_step").containsOnly(Verdict.GOOD);
        assertThat(weak.subList(5, 8)).containsOnly(Verdict.BAD);
    }

    @Test
    void aCurveHeadingForTheBestIsGood() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        // Below 0.95 × 0.95 ≈ 0.90 for its first 11 steps, but extrapolated to ≈ 0.93 at step 20.
        DoubleUnaryOperator slower = x -> 0.96 - 0.7 * Math.pow(x, -0.8);
        assertThat(slower.applyAsDouble(6)).isLessThan(0.9);
        assertThat(verdicts(assessor, "slower", curve(slower, 19))).containsOnly(Verdict.GOOD);
    }

    @Test
    void withoutASucceededTrialEveryVerdictIsGood() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20);
        complete(assessor, TrialStatus.FAILED, curve(STRONG, 20));
        complete(assessor, TrialStatus.EARLY_STOPPED, curve(STRONG, 10));
        complete(assessor, TrialStatus.USER_CANCELED, curve(STRONG, 12));
        assertThat(verdicts(assessor, "weak", curve(WEAK, 15))).containsOnly(Verdict.GOOD);
    }

    @Test
    void judgesAtStartStepAndThenEveryGapSteps() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20, 6, 0.95, 3, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        List<Verdict> weak = verdicts(assessor, "weak", curve(WEAK, 13));
        Verdict g = Verdict.GOOD;
        Verdict b = Verdict.BAD;
        assertThat(weak).containsExactly(g, g, g, g, g, b, g, g, b, g, g, b, g);
    }

    @Test
    void theGapCountsFromTheLastJudgementWhenStepsAreSkipped() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20, 6, 0.95, 3, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        List<Double> weak = curve(WEAK, 20);
        TrialId id = TrialId.of("weak");
        assertThat(assessor.assess(id, weak.subList(0, 7))).as("first judgement at 7").isEqualTo(Verdict.BAD);
        assertThat(assessor.assess(id, weak.subList(0, 9))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(id, weak.subList(0, 11))).as("11 - 7 >= 3").isEqualTo(Verdict.BAD);
        assertThat(assessor.assess(id, weak.subList(0, 13))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(id, weak.subList(0, 14))).isEqualTo(Verdict.BAD);
    }

    @Test
    void stepsBeforeTheFirstSucceededTrialAreNotJudgementsAsInNni() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20, 6, 0.95, 3, OptimizeMode.MAXIMIZE);
        List<Double> weak = curve(WEAK, 20);
        TrialId id = TrialId.of("weak");
        assertThat(assessor.assess(id, weak.subList(0, 6))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(id, weak.subList(0, 7))).isEqualTo(Verdict.GOOD);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        assertThat(assessor.assess(id, weak.subList(0, 8))).isEqualTo(Verdict.BAD);
        assertThat(assessor.assess(id, weak.subList(0, 9))).isEqualTo(Verdict.GOOD);
    }

    @Test
    void aTrialThatCannotBePredictedIsGood() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20, 0, 0.95, 1, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        assertThat(verdicts(assessor, "short", List.of(0.01, 0.02))).containsOnly(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("nan"), Arrays.asList(Double.NaN, Double.NaN, 0.01, Double.NaN)))
                .as("one finite value").isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("empty"), List.of())).isEqualTo(Verdict.GOOD);
    }

    @Test
    void theBarIsThresholdTimesTheBestFinalResultAndEqualityIsBad() {
        // With epoch_num reached, the prediction is the observed value at epoch_num, so the bar shows exactly.
        CurvefittingAssessor assessor = new CurvefittingAssessor(3, 3, 0.9, 1, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, List.of(0.2, 0.5, 0.8));
        complete(assessor, TrialStatus.SUCCEEDED, List.of(0.3, 0.9, 1.0));
        complete(assessor, TrialStatus.FAILED, List.of(0.3, 0.9, 5.0));
        assertThat(assessor.assess(TrialId.of("a"), List.of(0.0, 0.0, 0.9001))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("b"), List.of(0.0, 0.0, 0.9))).isEqualTo(Verdict.BAD);
        assertThat(assessor.assess(TrialId.of("c"), List.of(0.0, 0.0, 0.5, 2.0))).as("the value at step 3 counts")
                .isEqualTo(Verdict.BAD);
    }

    @Test
    void theBestFinalResultIsEachTrialsOwnLastResult() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(3, 3, 1.0, 1, OptimizeMode.MAXIMIZE);
        TrialId first = TrialId.of("first");
        TrialId second = TrialId.of("second");
        // Interleaved: NNI would take the last result of whichever trial it assessed last (0.2).
        assessor.assess(first, List.of(0.1, 0.5, 0.7));
        assessor.assess(second, List.of(0.1, 0.1, 0.2));
        assessor.onTrialEnd(first, TrialStatus.SUCCEEDED);
        assertThat(assessor.assess(TrialId.of("probe"), List.of(0.0, 0.0, 0.6))).isEqualTo(Verdict.BAD);
        assessor.onTrialEnd(second, TrialStatus.SUCCEEDED);
        assertThat(assessor.assess(TrialId.of("probe-2"), List.of(0.0, 0.0, 0.6))).isEqualTo(Verdict.BAD);
        assertThat(assessor.assess(TrialId.of("probe-3"), List.of(0.0, 0.0, 0.71))).isEqualTo(Verdict.GOOD);
    }

    @Test
    void aCompletedTrialWhoseLastResultIsNotFiniteDoesNotCount() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(3, 3, 1.0, 1, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, Arrays.asList(0.1, 0.2, Double.POSITIVE_INFINITY));
        complete(assessor, TrialStatus.SUCCEEDED, Arrays.asList(0.1, 0.2, Double.NaN));
        assertThat(assessor.assess(TrialId.of("probe"), List.of(0.0, 0.0, -5.0))).as("still no best")
                .isEqualTo(Verdict.GOOD);
        complete(assessor, TrialStatus.SUCCEEDED, List.of(0.1, 0.2, 0.3));
        assertThat(assessor.assess(TrialId.of("probe-2"), List.of(0.0, 0.0, 0.29))).isEqualTo(Verdict.BAD);
    }

    @Test
    void aNegativeBestKeepsTheBarBelowItWhenMaximizing() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(3, 3, 0.9, 1, OptimizeMode.MAXIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, List.of(-3.0, -2.0, -1.0));
        // bar = -1 - 0.1 × 1 = -1.1
        assertThat(assessor.assess(TrialId.of("a"), List.of(-5.0, -5.0, -1.09))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("b"), List.of(-5.0, -5.0, -1.1))).isEqualTo(Verdict.BAD);
    }

    @Test
    void minimizingMirrorsTheBar() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(3, 3, 0.9, 1, OptimizeMode.MINIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, List.of(3.0, 2.0, 1.5));
        complete(assessor, TrialStatus.SUCCEEDED, List.of(3.0, 2.0, 1.0));
        // best = 1.0, bar = 1 + 0.1 × 1 = 1.1
        assertThat(assessor.assess(TrialId.of("a"), List.of(9.0, 9.0, 1.0999))).isEqualTo(Verdict.GOOD);
        assertThat(assessor.assess(TrialId.of("b"), List.of(9.0, 9.0, 1.1))).isEqualTo(Verdict.BAD);
    }

    @Test
    void minimizingStopsALossCurveThatLevelsOffTooHigh() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(30, 6, 0.95, 1, OptimizeMode.MINIMIZE);
        complete(assessor, TrialStatus.SUCCEEDED, curve(x -> 0.1 + 2.0 * Math.pow(x, -0.7), 30));
        assertThat(verdicts(assessor, "good", curve(x -> 0.05 + 2.0 * Math.pow(x, -0.8), 12)))
                .containsOnly(Verdict.GOOD);
        assertThat(verdicts(assessor, "bad", curve(x -> 1.0 + 1.5 * Math.exp(-0.3 * x), 8)).subList(5, 8))
                .containsOnly(Verdict.BAD);
    }

    @Test
    void nanAndInfiniteIntermediateResultsAreLeftOutOfTheFit() {
        CurvefittingAssessor assessor = new CurvefittingAssessor(20);
        complete(assessor, TrialStatus.SUCCEEDED, curve(STRONG, 20));
        List<Double> weak = curve(WEAK, 10);
        weak.set(2, Double.NaN);
        weak.set(6, Double.POSITIVE_INFINITY);
        weak.set(7, Double.NEGATIVE_INFINITY);
        assertThat(assessor.assess(TrialId.of("weak"), weak)).isEqualTo(Verdict.BAD);
        List<Double> strong = curve(STRONG, 10);
        strong.set(4, Double.NaN);
        assertThat(assessor.assess(TrialId.of("strong"), strong)).isEqualTo(Verdict.GOOD);
    }

    @Test
    void theSameResultsGiveTheSamePredictionEveryTime() {
        List<Double> noisy = new ArrayList<>();
        for (int x = 1; x <= 15; x++) {
            noisy.add(STRONG.applyAsDouble(x) + 0.01 * Math.sin(7.0 * x));
        }
        double first = CurveEnsemble.predict(noisy, 40).orElseThrow();
        for (int i = 0; i < 5; i++) {
            assertThat(CurveEnsemble.predict(noisy, 40).orElseThrow()).isEqualTo(first);
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new CurvefittingAssessor(0)).hasMessageContaining("epochNum");
        assertThatThrownBy(() -> new CurvefittingAssessor(20, -1, 0.95, 1, OptimizeMode.MAXIMIZE))
                .hasMessageContaining("startStep");
        assertThatThrownBy(() -> new CurvefittingAssessor(20, 6, Double.NaN, 1, OptimizeMode.MAXIMIZE))
                .hasMessageContaining("threshold");
        assertThatThrownBy(() -> new CurvefittingAssessor(20, 6, 0.95, 0, OptimizeMode.MAXIMIZE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gap");
    }
}
