package dev.hybrid.assessor.builtin;

import dev.hybrid.assessor.Assessor;
import dev.hybrid.testkit.AssessorContract;
import dev.hybrid.tuner.OptimizeMode;
import java.util.List;
import org.junit.jupiter.api.Nested;

class MedianstopAssessorContractTest extends AssessorContract {
    @Override
    protected Assessor newAssessor() {
        return new MedianstopAssessor();
    }

    @Nested
    class Minimizing extends AssessorContract {
        @Override
        protected Assessor newAssessor() {
            return new MedianstopAssessor(OptimizeMode.MINIMIZE, 3);
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
