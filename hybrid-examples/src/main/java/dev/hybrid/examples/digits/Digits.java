package dev.hybrid.examples.digits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

/**
 * The digits data set (1797 8x8 images, labels 0..9) shipped as a resource, scaled to [0, 1] and split into a
 * training and a validation part by a fixed shuffle, so that every trial sees the same split.
 *
 * @param trainX training features, one row of 64 pixels per image
 * @param trainY training labels
 * @param validX validation features
 * @param validY validation labels
 */
public record Digits(double[][] trainX, int[] trainY, double[][] validX, int[] validY) {
    /** Pixels per image. */
    public static final int FEATURES = 64;
    /** Number of classes. */
    public static final int CLASSES = 10;

    /** Loads the data set and splits it: {@code validFraction} of the rows (shuffled with {@code seed}) validate. */
    public static Digits load(double validFraction, long seed) {
        if (!(validFraction > 0 && validFraction < 1)) {
            throw new IllegalArgumentException("validFraction must be in (0, 1), was " + validFraction);
        }
        List<double[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        try (InputStream raw = Digits.class.getResourceAsStream("digits.csv.gz")) {
            if (raw == null) {
                throw new IllegalStateException("resource digits.csv.gz is missing from the class path");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != FEATURES + 1) {
                    throw new IllegalStateException("digits.csv.gz: expected 65 columns, got " + f.length);
                }
                double[] x = new double[FEATURES];
                for (int i = 0; i < FEATURES; i++) {
                    x[i] = Integer.parseInt(f[i].trim()) / 16.0;
                }
                xs.add(x);
                ys.add(Integer.parseInt(f[FEATURES].trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read digits.csv.gz", e);
        }
        int n = xs.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nValid = (int) Math.round(n * validFraction);
        int nTrain = n - nValid;
        double[][] tx = new double[nTrain][];
        int[] ty = new int[nTrain];
        double[][] vx = new double[nValid][];
        int[] vy = new int[nValid];
        for (int i = 0; i < n; i++) {
            int k = order[i];
            if (i < nTrain) {
                tx[i] = xs.get(k);
                ty[i] = ys.get(k);
            } else {
                vx[i - nTrain] = xs.get(k);
                vy[i - nTrain] = ys.get(k);
            }
        }
        return new Digits(tx, ty, vx, vy);
    }
}
