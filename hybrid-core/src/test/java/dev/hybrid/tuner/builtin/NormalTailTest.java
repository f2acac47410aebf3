package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NormalTailTest {

    @ParameterizedTest
    @ValueSource(doubles = {-4.9, -3, -1, 0, 1.5, 3})
    void logHIsTheLogarithmOfTheExpectedImprovementPerSd(double z) {
        double h = NormalTail.pdf(z) + z * Normals.cdf(z);
        assertThat(NormalTail.logH(z)).isCloseTo(Math.log(h), within(1e-4));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-40, -12, -6, -5.2, -2, 0.5})
    void theRatiosAreTheDerivativesOfTheLogarithms(double z) {
        double h = 1e-5;
        assertThat(NormalTail.cdfOverH(z))
                .isCloseTo((NormalTail.logH(z + h) - NormalTail.logH(z - h)) / (2 * h), within(1e-3 * (1 - z)));
        assertThat(NormalTail.pdfOverCdf(z))
                .isCloseTo((NormalTail.logCdf(z + h) - NormalTail.logCdf(z - h)) / (2 * h), within(0.05 * (1 - z)));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-5.0001, -4.9999})
    void theTailAndTheDirectFormulasAgreeWhereTheyMeet(double z) {
        assertThat(NormalTail.logH(z)).isCloseTo(NormalTail.logH(-5.0), within(1e-3));
        assertThat(NormalTail.logCdf(z)).isCloseTo(NormalTail.logCdf(-5.0), within(1e-3));
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e4, -300, -40})
    void farInTheTailTheLogarithmsStayFiniteWhereTheValuesUnderflow(double z) {
        assertThat(Math.exp(NormalTail.logH(z))).isZero();
        assertThat(NormalTail.logH(z)).isFinite().isLessThan(NormalTail.logCdf(z));
        assertThat(NormalTail.logCdf(z)).isCloseTo(-0.5 * z * z - Math.log(-z) - 0.5 * Math.log(2 * Math.PI),
                within(1e-2));
    }
}
