package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.testkit.AssessorContract;
import dev.hybrid.tuner.OptimizeMode;
import java.util.List;
import org.junit.jupiter.api.Nested;

class CurvefittingAssessorContractTest extends AssessorContract {
    @Override
    protected Assessor newAssessor() {
        return new CurvefittingAssessor(20);
    }

    @Nested
    class Minimizing extends AssessorContract {
        @Override
        protected Assessor newAssessor() {
            return new CurvefittingAssessor(40, 4, 0.9, 2, OptimizeMode.MINIMIZE);
        }

        @Override
        protected List<Double> strongCurve() {
            return curve(x -> 0.05 + 0.55 * Math.pow(x, -0.8));
        }

        @Override
        protected List<Double> poorCurve() {
            return curve(x -> 0.5 + 0.3 * Math.pow(x, -0.8));
        }
    }
}
