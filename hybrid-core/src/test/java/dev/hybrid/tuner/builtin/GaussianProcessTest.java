package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GaussianProcessTest {

    private static double[][] inputs(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextDouble();
            }
        }
        return x;
    }

    private static double[] outputs(double[][] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.sin(5 * x[i][0]) + x[i][1] - 0.5;
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(GaussianProcess.Nu.class)
    void predictiveGradientsMatchFiniteDifferences(GaussianProcess.Nu nu) {
        double[][] x = inputs(15, 3, 1);
        GaussianProcess gp = new GaussianProcess(nu, 1e-6, 3);
        GaussianProcess.Posterior post = gp.posterior(x, outputs(x), new double[] {-0.7, 0.2, 1.0, 0.1, -4});
        double[] z = {0.31, 0.62, 0.18};
        double[] out = new double[2];
        double[] gm = new double[3];
        double[] gv = new double[3];
        post.predict(z, out, gm, gv, new double[15], new double[15]);
        for (int k = 0; k < 3; k++) {
            double h = 1e-6;
            double[] zp = z.clone();
            double[] zm = z.clone();
            zp[k] += h;
            zm[k] -= h;
            double[] op = new double[2];
            double[] om = new double[2];
            post.predict(zp, op, null, null, new double[15], new double[15]);
            post.predict(zm, om, null, null, new double[15], new double[15]);
            assertThat(gm[k]).isCloseTo((op[0] - om[0]) / (2 * h), within(1e-5));
            assertThat(gv[k]).isCloseTo((op[1] - om[1]) / (2 * h), within(1e-5));
        }
    }

    @ParameterizedTest
    @EnumSource(GaussianProcess.Nu.class)
    void theFittedModelInterpolatesItsDataAndIsUnsureFarFromIt(GaussianProcess.Nu nu) {
        double[][] x = inputs(30, 2, 2);
        double[] y = outputs(x);
        GaussianProcess gp = new GaussianProcess(nu, 1e-6, 2);
        GaussianProcess.Posterior post = gp.fit(x, y, new double[][] {gp.priorMode()}, 100);
        double[] out = new double[2];
        double[] k = new double[30];
        double[] s = new double[30];
        for (int i = 0; i < x.length; i++) {
            post.predict(x[i], out, null, null, k, s);
            assertThat(out[0]).isCloseTo(y[i], within(0.1));
        }
        post.predict(x[0], out, null, null, k, s);
        double atData = out[1];
        post.predict(new double[] {3, 3}, out, null, null, k, s);
        assertThat(out[1]).isGreaterThan(100 * atData);
    }
}
