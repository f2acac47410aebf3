package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BoxLbfgsTest {
    /** Rosenbrock's function in 2-D, minimum 0 at (1, 1). */
    private static final BoxLbfgs.Function ROSENBROCK = (x, g) -> {
        double a = 1 - x[0];
        double b = x[1] - x[0] * x[0];
        g[0] = -2 * a - 400 * x[0] * b;
        g[1] = 200 * b;
        return a * a + 100 * b * b;
    };

    @Test
    void findsTheMinimumOfRosenbrocksValleyInsideTheBox() {
        double[] x = {-1.2, 1.0};
        double f = new BoxLbfgs(6, 500, 1e-12).minimise(ROSENBROCK, x, new double[] {-2, -2}, new double[] {2, 2});
        assertThat(f).isLessThan(1e-8);
        assertThat(x[0]).isCloseTo(1, within(1e-3));
        assertThat(x[1]).isCloseTo(1, within(1e-3));
    }

    @Test
    void stopsAtTheBoundWhenTheMinimumLiesOutsideTheBox() {
        BoxLbfgs.Function bowl = (x, g) -> {
            g[0] = 2 * (x[0] - 3);
            g[1] = 2 * (x[1] + 0.5);
            return (x[0] - 3) * (x[0] - 3) + (x[1] + 0.5) * (x[1] + 0.5);
        };
        double[] x = {0.2, 0.9};
        new BoxLbfgs(6, 100, 1e-12).minimise(bowl, x, new double[] {0, 0}, new double[] {1, 1});
        assertThat(x[0]).isEqualTo(1.0);
        assertThat(x[1]).isEqualTo(0.0);
    }

    @Test
    void aStartWhereTheFunctionIsNotFiniteIsReturnedUnchanged() {
        double[] x = {0.5};
        double f = new BoxLbfgs(4, 10, 1e-9).minimise((v, g) -> Double.NaN, x, new double[] {0}, new double[] {1});
        assertThat(f).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(x[0]).isEqualTo(0.5);
    }
}
