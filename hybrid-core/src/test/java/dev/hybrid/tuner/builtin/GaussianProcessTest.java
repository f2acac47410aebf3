package dev.hybrid.tuner.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
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

    @ParameterizedTest
    @EnumSource(GaussianProcess.Nu.class)
    void theFittedObjectivesGradientMatchesFiniteDifferences(GaussianProcess.Nu nu) {
        // the constant mean is profiled out, so the gradient has no term for it; this checks that this holds
        double[][] x = inputs(12, 3, 3);
        double[] y = outputs(x);
        for (int i = 0; i < y.length; i++) {
            y[i] += 0.8;
        }
        GaussianProcess gp = new GaussianProcess(nu, 1e-6, 3);
        BoxLbfgs.Function f = gp.negativeLogPosterior(x, y);
        double[] theta = {-0.9, -0.3, 0.4, 0.2, -3};
        double[] g = new double[theta.length];
        f.valueAndGradient(theta, g);
        for (int k = 0; k < theta.length; k++) {
            double h = 1e-6;
            double[] tp = theta.clone();
            double[] tm = theta.clone();
            tp[k] += h;
            tm[k] -= h;
            double numeric = (f.valueAndGradient(tp, new double[theta.length])
                    - f.valueAndGradient(tm, new double[theta.length])) / (2 * h);
            assertThat(g[k]).as("component %d", k).isCloseTo(numeric, within(1e-4 * Math.max(1, Math.abs(numeric))));
        }
    }

    @Test
    void farFromTheDataThePredictionFallsBackToTheFittedConstantNotToZero() {
        // ten results in a tight cluster at −2 and five spread ones at 1: the sample mean is −1, but the cluster
        // counts little more than one result, so the constant lies well above the sample mean
        double[][] x = new double[15][];
        double[] y = new double[15];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 10; i++) {
            x[i] = new double[] {0.1 + 0.01 * r.nextDouble(), 0.1 + 0.01 * r.nextDouble()};
            y[i] = -2;
        }
        for (int i = 10; i < 15; i++) {
            x[i] = new double[] {0.3 + 0.15 * (i - 10), 0.9 - 0.15 * (i - 10)};
            y[i] = 1;
        }
        GaussianProcess gp = new GaussianProcess(GaussianProcess.Nu.INFINITE, 1e-6, 2);
        double lengthScale = Math.log(0.05);
        GaussianProcess.Posterior post = gp.posterior(x, y, new double[] {lengthScale, lengthScale, 0, Math.log(1e-4)});
        assertThat(post.constant()).isGreaterThan(0);
        double[] out = new double[2];
        post.predict(new double[] {0.95, 0.95}, out, null, null, new double[15], new double[15]);
        assertThat(out[0]).isCloseTo(post.constant(), within(1e-6));
    }
}
