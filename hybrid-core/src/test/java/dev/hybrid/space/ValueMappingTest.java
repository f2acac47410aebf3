package dev.hybrid.space;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValueMappingTest {

    @Test
    void theNormalDistributionFunctionMatchesKnownValues() {
        assertThat(ValueMapping.normalCdf(0)).isEqualTo(0.5);
        assertThat(ValueMapping.normalCdf(1)).isCloseTo(0.8413447460685429, within(1e-15));
        assertThat(ValueMapping.normalCdf(-1.96)).isCloseTo(0.024997895148220435, within(1e-16));
        assertThat(ValueMapping.normalCdf(3)).isCloseTo(0.9986501019683699, within(1e-15));
        assertThat(ValueMapping.normalCdf(-5) / 2.866515718791939e-07).isCloseTo(1, within(1e-12));
        assertThat(ValueMapping.normalCdf(-10) / 7.61985302416047e-24).isCloseTo(1, within(1e-12));
    }

    @Test
    void theNormalQuantileInvertsTheDistributionFunction() {
        assertThat(ValueMapping.normalQuantile(0.5)).isEqualTo(0.0);
        assertThat(ValueMapping.normalQuantile(0.975)).isCloseTo(1.959963984540054, within(1e-14));
        assertThat(ValueMapping.normalQuantile(0.25)).isCloseTo(-0.6744897501960817, within(1e-14));
        assertThat(ValueMapping.normalQuantile(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(ValueMapping.normalQuantile(1)).isEqualTo(Double.POSITIVE_INFINITY);
        for (double p : new double[] {1e-300, 1e-12, 1e-6, 0.01, 0.02425, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-9}) {
            double z = ValueMapping.normalQuantile(p);
            assertThat(ValueMapping.normalCdf(z) / p).as("Φ(Φ⁻¹(%s))", p).isCloseTo(1, within(1e-12));
        }
        assertThatThrownBy(() -> ValueMapping.normalQuantile(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theUnitMidpointIsEachDistributionsMedian() {
        assertThat(ValueMapping.fromUnit(new Uniform("u", -1, 3), 0.5)).isEqualTo(1.0);
        assertThat(ValueMapping.fromUnit(new LogUniform("l", 1, 100), 0.5)).isCloseTo(10.0, within(1e-12));
        assertThat(ValueMapping.fromUnit(new Normal("n", 7, 2), 0.5)).isEqualTo(7.0);
        assertThat(ValueMapping.fromUnit(new LogNormal("n", 1, 2), 0.5)).isCloseTo(Math.E, within(1e-15));
        assertThat(ValueMapping.fromUnit(new QUniform("q", 0, 10, 3), 0.5)).isEqualTo(6.0);
        assertThat(ValueMapping.fromUnit(new QNormal("q", 0.2, 1, 0.5), 0.5)).isEqualTo(0.0);
    }

    @Test
    void theUnitEndsAreTheBoundsOfTheBoundedTypes() {
        assertThat(ValueMapping.fromUnit(new Uniform("u", -1, 3), 0)).isEqualTo(-1.0);
        assertThat(ValueMapping.fromUnit(new Uniform("u", -1, 3), 1)).isEqualTo(3.0);
        assertThat(ValueMapping.fromUnit(new LogUniform("l", 0.001, 1000), 0)).isEqualTo(0.001);
        assertThat(ValueMapping.fromUnit(new LogUniform("l", 0.001, 1000), 1)).isEqualTo(1000.0);
        assertThat(ValueMapping.fromUnit(new QLogUniform("w", 16, 128, 0.725), 0)).isEqualTo(16.0);
    }

    @Test
    void toUnitInvertsFromUnitForTheContinuousTypes() {
        List<ParameterSpec> specs = List.of(new Uniform("a", -1, 3), new LogUniform("b", 1e-4, 10),
                new Normal("c", 2, 3), new LogNormal("d", -1, 0.5));
        for (ParameterSpec spec : specs) {
            for (double u : new double[] {0.01, 0.25, 0.5, 0.8, 0.999}) {
                assertThat(ValueMapping.toUnit(spec, ValueMapping.fromUnit(spec, u))).as("%s at %s", spec, u)
                        .isCloseTo(u, within(1e-12));
            }
        }
    }

    @Test
    void theInternalScaleIsLogSpaceForTheLogTypes() {
        assertThat(ValueMapping.toInternal(new LogUniform("l", 1, 100), 10)).isCloseTo(Math.log(10), within(1e-15));
        assertThat(ValueMapping.fromInternal(new LogNormal("l", 0, 1), 0)).isEqualTo(1.0);
        assertThat(ValueMapping.toInternal(new Normal("n", 0, 1), -3)).isEqualTo(-3.0);
        assertThat(ValueMapping.fromInternal(new QNormal("n", 0, 1, 0.5), 0.8)).isEqualTo(1.0);
        assertThat(ValueMapping.fromInternal(new QLogNormal("n", 0, 1, 2), Math.log(5))).isEqualTo(4.0);
    }

    @Test
    void categoricalSpecsHaveNoNumericScale() {
        assertThatThrownBy(() -> ValueMapping.fromUnit(new RandInt("r", 0, 3), 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'r' of _type randint");
        assertThatThrownBy(() -> ValueMapping.toInternal(new Choice("c", List.of(new ChoiceOption.Value(1))), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
