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
import org.junit.jupiter.api.Test;

class MedianstopAssessorTest {
    private int next;

    /** Shows {@code values} to the assessor one at a time, as the experiment does, then ends the trial. */
    private void complete(MedianstopAssessor assessor, TrialStatus status, Double... values) {
        TrialId id = TrialId.of("done-" + next++);
        List<Double> soFar = new ArrayList<>();
        for (Double v : values) {
            soFar.add(v);
            assessor.assess(id, List.copyOf(soFar));
        }
        assessor.onTrialEnd(id, status);
    }

    private void succeed(MedianstopAssessor assessor, Double... values) {
        complete(assessor, TrialStatus.SUCCEEDED, values);
    }

    private static Verdict judge(MedianstopAssessor assessor, Double... values) {
        return assessor.assess(TrialId.of("running"), Arrays.asList(values));
    }

    @Test
    void withoutCompletedTrialsEveryTrialIsGood() {
        MedianstopAssessor assessor = new MedianstopAssessor();
        assertThat(judge(assessor, -100.0)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, -100.0, -200.0, -300.0)).isEqualTo(Verdict.GOOD);
    }

    @Test
    void maximizingComparesTheBestSoFarWithTheLowerMedianOfAnOddCount() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        succeed(assessor, 0.3, 0.3);
        succeed(assessor, 0.5, 0.5);
        succeed(assessor, 0.7, 0.7);
        // Step 2 averages are 0.3, 0.5, 0.7: the median is 0.5.
        assertThat(judge(assessor, 0.1, 0.49)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 0.1, 0.5)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.5, 0.1)).as("the best so far counts, not the last").isEqualTo(Verdict.GOOD);
    }

    @Test
    void maximizingUsesTheLowerMedianOfAnEvenCount() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        for (double v : new double[] {0.8, 0.2, 0.6, 0.4}) {
            succeed(assessor, v);
        }
        // sorted 0.2, 0.4, 0.6, 0.8: sorted[(4 - 1) / 2] = 0.4
        assertThat(judge(assessor, 0.41)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.4)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.39)).isEqualTo(Verdict.BAD);
    }

    @Test
    void minimizingUsesTheUpperMedianOfAnEvenCountAndTheSmallestValueSoFar() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MINIMIZE, 0);
        for (double v : new double[] {0.8, 0.2, 0.6, 0.4}) {
            succeed(assessor, v);
        }
        // sorted 0.2, 0.4, 0.6, 0.8: sorted[4 / 2] = 0.6
        assertThat(judge(assessor, 0.61)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 0.6)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.59)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.9, 0.1, 0.9)).as("compares step 3 averages; none has 3 results")
                .isEqualTo(Verdict.GOOD);
    }

    @Test
    void minimizingUsesTheMiddleValueOfAnOddCount() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MINIMIZE, 0);
        for (double v : new double[] {0.3, 0.7, 0.5}) {
            succeed(assessor, v);
        }
        assertThat(judge(assessor, 0.51)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 0.5)).isEqualTo(Verdict.GOOD);
    }

    @Test
    void completedTrialsCountWithTheirRunningAverageAtTheSameStep() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        succeed(assessor, 1.0, 0.0, 0.5); // running averages 1.0, 0.5, 0.5
        assertThat(judge(assessor, 0.99)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 1.0)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.2, 0.49)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 0.2, 0.5)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.0, 0.0, 0.49)).isEqualTo(Verdict.BAD);
    }

    @Test
    void completedTrialsWithFewerResultsThanTheStepDoNotCount() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        succeed(assessor, 0.9, 0.9);
        succeed(assessor, 0.1, 0.1, 0.1);
        // At step 3 only the second trial counts: median 0.1.
        assertThat(judge(assessor, 0.2, 0.2, 0.2)).isEqualTo(Verdict.GOOD);
        // At step 2 both count: lower median of 0.1 and 0.9 is 0.1.
        assertThat(judge(assessor, 0.2, 0.2)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.05, 0.05, 0.05, 0.05)).as("no trial reached step 4").isEqualTo(Verdict.GOOD);
    }

    @Test
    void onlySuccessfullyCompletedTrialsCount() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        complete(assessor, TrialStatus.FAILED, 0.9, 0.9);
        complete(assessor, TrialStatus.EARLY_STOPPED, 0.9, 0.9);
        complete(assessor, TrialStatus.USER_CANCELED, 0.9, 0.9);
        complete(assessor, TrialStatus.SYS_CANCELED, 0.9, 0.9);
        assertThat(judge(assessor, 0.1, 0.1)).isEqualTo(Verdict.GOOD);
        succeed(assessor, 0.9, 0.9);
        assertThat(judge(assessor, 0.1, 0.1)).isEqualTo(Verdict.BAD);
    }

    @Test
    void trialsEndedWithoutBeingAssessedAreIgnored() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        assessor.onTrialEnd(TrialId.of("never-seen"), TrialStatus.SUCCEEDED);
        assertThat(judge(assessor, -1.0)).isEqualTo(Verdict.GOOD);
    }

    @Test
    void beforeStartStepResultsEveryTrialIsGood() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 3);
        succeed(assessor, 0.9, 0.9, 0.9, 0.9);
        assertThat(judge(assessor, 0.1)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.1, 0.1)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, 0.1, 0.1, 0.1)).isEqualTo(Verdict.BAD);
    }

    @Test
    void resultsShownBeforeStartStepStillCountOnceTheTrialCompletes() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 3);
        succeed(assessor, 0.9, 0.1, 0.2); // averages 0.9, 0.5, 0.4: the first two arrive before start_step
        assertThat(judge(assessor, 0.39, 0.39, 0.39)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, 0.4, 0.4, 0.4)).isEqualTo(Verdict.GOOD);
    }

    @Test
    void nanResultsAreSkippedForTheBestAndNanAveragesLeaveTheMedian() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        succeed(assessor, Double.NaN, 0.9);
        assertThat(judge(assessor, 0.1, 0.1)).as("the only average at step 2 is NaN").isEqualTo(Verdict.GOOD);
        succeed(assessor, 0.5, 0.5);
        assertThat(judge(assessor, 0.1, 0.4)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, Double.NaN, 0.6)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, Double.NaN, Double.NaN)).as("no best value yet").isEqualTo(Verdict.GOOD);
    }

    @Test
    void infiniteResultsCompareAsNumbers() {
        MedianstopAssessor assessor = new MedianstopAssessor(OptimizeMode.MAXIMIZE, 0);
        succeed(assessor, Double.POSITIVE_INFINITY);
        assertThat(judge(assessor, 1e300)).isEqualTo(Verdict.BAD);
        assertThat(judge(assessor, Double.POSITIVE_INFINITY)).isEqualTo(Verdict.GOOD);
        assertThat(judge(assessor, Double.NEGATIVE_INFINITY, 0.0)).as("no completed trial reached step 2")
                .isEqualTo(Verdict.GOOD);
    }

    @Test
    void aNegativeStartStepIsRejected() {
        assertThatThrownBy(() -> new MedianstopAssessor(OptimizeMode.MAXIMIZE, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startStep");
    }
}
