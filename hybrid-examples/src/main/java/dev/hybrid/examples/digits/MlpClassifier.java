package dev.hybrid.examples.digits;

import java.util.SplittableRandom;

/**
 * A one-hidden-layer perceptron (ReLU, softmax output, cross-entropy loss, L2 weight decay) trained by mini-batch
 * SGD with momentum. Small and dependency-free: the model a digits trial tunes. With {@code hidden == 0} it is plain
 * softmax regression. Not thread-safe.
 */
public final class MlpClassifier {
    private final int in;
    private final int hidden;
    private final int out;
    private final double learningRate;
    private final double momentum;
    private final double l2;
    private final int batchSize;
    private final SplittableRandom rng;

    // Layer 1 (in -> hidden) and layer 2 (hidden or in -> out), row-major, with velocity buffers.
    private final double[] w1;
    private final double[] b1;
    private final double[] w2;
    private final double[] b2;
    private final double[] vw1;
    private final double[] vb1;
    private final double[] vw2;
    private final double[] vb2;

    /**
     * @param hidden hidden units, 0 for softmax regression
     * @param learningRate SGD step size
     * @param momentum classical momentum in [0, 1)
     * @param l2 weight decay
     * @param batchSize mini-batch size
     * @param seed initialisation and shuffling seed
     */
    public MlpClassifier(int hidden, double learningRate, double momentum, double l2, int batchSize, long seed) {
        if (hidden < 0 || batchSize < 1 || !(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(l2 >= 0)) {
            throw new IllegalArgumentException("bad hyperparameters: hidden=" + hidden + ", learningRate="
                    + learningRate + ", momentum=" + momentum + ", l2=" + l2 + ", batchSize=" + batchSize);
        }
        this.in = Digits.FEATURES;
        this.hidden = hidden;
        this.out = Digits.CLASSES;
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.l2 = l2;
        this.batchSize = batchSize;
        this.rng = new SplittableRandom(seed);
        int firstOut = hidden == 0 ? out : hidden;
        w1 = new double[in * firstOut];
        b1 = new double[firstOut];
        vw1 = new double[w1.length];
        vb1 = new double[b1.length];
        double s1 = Math.sqrt(2.0 / in);
        for (int i = 0; i < w1.length; i++) {
            w1[i] = gaussian() * s1;
        }
        if (hidden > 0) {
            w2 = new double[hidden * out];
            b2 = new double[out];
            double s2 = Math.sqrt(2.0 / hidden);
            for (int i = 0; i < w2.length; i++) {
                w2[i] = gaussian() * s2;
            }
        } else {
            w2 = new double[0];
            b2 = new double[0];
        }
        vw2 = new double[w2.length];
        vb2 = new double[b2.length];
    }

    /** Runs one epoch of SGD over the data in a fresh random order; returns the mean training loss. */
    public double trainEpoch(double[][] x, int[] y) {
        int n = x.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int firstOut = hidden == 0 ? out : hidden;
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[b1.length];
        double[] gw2 = new double[w2.length];
        double[] gb2 = new double[b2.length];
        double[] h = new double[firstOut];
        double[] p = new double[out];
        double[] dh = new double[firstOut];
        double loss = 0;
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            java.util.Arrays.fill(gw1, 0);
            java.util.Arrays.fill(gb1, 0);
            java.util.Arrays.fill(gw2, 0);
            java.util.Arrays.fill(gb2, 0);
            for (int k = start; k < end; k++) {
                double[] xi = x[order[k]];
                int yi = y[order[k]];
                forward(xi, h, p);
                loss -= Math.log(Math.max(p[yi], 1e-300));
                p[yi] -= 1; // dLoss/dLogits
                if (hidden > 0) {
                    java.util.Arrays.fill(dh, 0);
                    for (int j = 0; j < hidden; j++) {
                        int row = j * out;
                        for (int c = 0; c < out; c++) {
                            gw2[row + c] += h[j] * p[c];
                            dh[j] += w2[row + c] * p[c];
                        }
                    }
                    for (int c = 0; c < out; c++) {
                        gb2[c] += p[c];
                    }
                    for (int j = 0; j < hidden; j++) {
                        if (h[j] <= 0) {
                            dh[j] = 0;
                        }
                    }
                    accumulate(xi, dh, gw1, gb1, hidden);
                } else {
                    accumulate(xi, p, gw1, gb1, out);
                }
            }
            double scale = 1.0 / (end - start);
            step(w1, vw1, gw1, scale, true);
            step(b1, vb1, gb1, scale, false);
            step(w2, vw2, gw2, scale, true);
            step(b2, vb2, gb2, scale, false);
        }
        return loss / n;
    }

    /** The fraction of rows classified correctly. */
    public double accuracy(double[][] x, int[] y) {
        int firstOut = hidden == 0 ? out : hidden;
        double[] h = new double[firstOut];
        double[] p = new double[out];
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            forward(x[i], h, p);
            int best = 0;
            for (int c = 1; c < out; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            if (best == y[i]) {
                correct++;
            }
        }
        return (double) correct / x.length;
    }

    private void forward(double[] x, double[] h, double[] p) {
        int firstOut = hidden == 0 ? out : hidden;
        System.arraycopy(b1, 0, h, 0, firstOut);
        for (int i = 0; i < in; i++) {
            double xi = x[i];
            if (xi == 0) {
                continue;
            }
            int row = i * firstOut;
            for (int j = 0; j < firstOut; j++) {
                h[j] += xi * w1[row + j];
            }
        }
        if (hidden > 0) {
            for (int j = 0; j < hidden; j++) {
                h[j] = Math.max(0, h[j]);
            }
            System.arraycopy(b2, 0, p, 0, out);
            for (int j = 0; j < hidden; j++) {
                double hj = h[j];
                if (hj == 0) {
                    continue;
                }
                int row = j * out;
                for (int c = 0; c < out; c++) {
                    p[c] += hj * w2[row + c];
                }
            }
        } else {
            System.arraycopy(h, 0, p, 0, out);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (double v : p) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int c = 0; c < out; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < out; c++) {
            p[c] /= sum;
        }
    }

    private void accumulate(double[] x, double[] delta, double[] gw, double[] gb, int width) {
        for (int i = 0; i < in; i++) {
            double xi = x[i];
            if (xi == 0) {
                continue;
            }
            int row = i * width;
            for (int j = 0; j < width; j++) {
                gw[row + j] += xi * delta[j];
            }
        }
        for (int j = 0; j < width; j++) {
            gb[j] += delta[j];
        }
    }

    private void step(double[] w, double[] v, double[] g, double scale, boolean decay) {
        for (int i = 0; i < w.length; i++) {
            double grad = g[i] * scale + (decay ? l2 * w[i] : 0);
            v[i] = momentum * v[i] - learningRate * grad;
            w[i] += v[i];
        }
    }

    private double gaussian() {
        // Box-Muller; only used at initialisation.
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
