package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Parameters;
import dev.hybrid.tuner.builtin.SpaceModel.Dim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * BOHB's configuration model (Falkner, Klein and Hutter 2018, as in HpBandSter's {@code CG_BOHB} and NNI's BOHB
 * advisor): the observations of each budget, and for the largest budget with enough of them a pair of kernel density
 * estimates, {@code l} over the best {@code top_n_percent} and {@code g} over the rest.
 *
 * <p>Points are the {@link SpaceModel}'s, each coordinate scaled to {@code [0, 1]} (a normal type's over
 * {@code mu ± 3 sigma}); a choice stays an option index. A model for a budget is fitted once that budget has at least
 * {@code min_points_in_model} observations and each of the good and the bad set has more points than there are
 * dimensions; a budget below the largest modelled one gets none. Each estimate is a product kernel, Gaussian for
 * numbers and Aitchison–Aitken for choices, with statsmodels' normal-reference bandwidths
 * {@code 1.06 · std · n^(−1/(4+d))}, at least {@code min_bandwidth}. Coordinates inactive in a point (a branch not
 * taken) are imputed from another point of the same set in which they are active, else drawn at random.
 *
 * <p>A proposal is random with probability {@code random_fraction}, or when no model exists; otherwise
 * {@code num_samples} candidates are drawn around random points of the good set (numbers from normals truncated to
 * {@code [0, 1]} with {@code bandwidth_factor} times the bandwidth, choices kept with probability {@code 1 − bw}), and
 * the one minimising {@code g(x) / l(x)} is taken.
 */
final class BohbModel {
    private static final double SQRT_2PI = Math.sqrt(2 * Math.PI);

    /**
     * The model's settings, from BOHB's {@code classArgs}.
     *
     * @param minPointsInModel observations a budget needs before it is modelled; at least the dimensions plus one
     *     (0 means that default)
     * @param topNPercent the share of a budget's observations in the good set, 1..99
     * @param numSamples candidates drawn per model-based proposal, at least 1
     * @param randomFraction the share of proposals drawn at random, in [0, 1]
     * @param bandwidthFactor how much wider than the model's the bandwidth of candidate draws is, greater than 0
     * @param minBandwidth the smallest bandwidth, at least 0
     */
    record Settings(int minPointsInModel, int topNPercent, int numSamples, double randomFraction,
            double bandwidthFactor, double minBandwidth) {
    }

    /** A fitted estimate: its points (imputed) and one bandwidth per dimension. */
    private record Kde(double[][] points, double[] bandwidths) {
    }

    private record Pair(Kde good, Kde bad) {
    }

    private final SpaceModel space;
    private final Settings settings;
    private final RandomGenerator random;
    private final int minPoints;
    private final TreeMap<Double, List<double[]>> points = new TreeMap<>();
    private final TreeMap<Double, List<Double>> losses = new TreeMap<>();
    private final TreeMap<Double, Pair> models = new TreeMap<>();

    BohbModel(SpaceModel space, Settings settings, RandomGenerator random) {
        this.space = space;
        this.settings = settings;
        this.random = random;
        this.minPoints = Math.max(settings.minPointsInModel(), space.size() + 1);
    }

    /** Learns {@code loss} (smaller is better; NaN counts as the worst) of {@code config} at {@code budget}. */
    void observe(Parameters config, double budget, double loss) {
        Optional<double[]> encoded = space.encode(config);
        if (encoded.isEmpty()) {
            return;
        }
        double[] x = encoded.get();
        for (int j = 0; j < x.length; j++) {
            if (!Double.isNaN(x[j])) {
                x[j] = scaled(space.dim(j), x[j]);
            }
        }
        points.computeIfAbsent(budget, b -> new ArrayList<>()).add(x);
        losses.computeIfAbsent(budget, b -> new ArrayList<>()).add(Double.isNaN(loss) ? Double.POSITIVE_INFINITY
                : loss);
        if (!models.isEmpty() && models.lastKey() > budget) {
            return;
        }
        fit(budget);
    }

    /** A new configuration: random, or the best of {@code num_samples} candidates from the largest budget's model. */
    Parameters propose() {
        if (models.isEmpty() || random.nextDouble() < settings.randomFraction()) {
            return randomConfig();
        }
        Pair model = models.lastEntry().getValue();
        double best = Double.POSITIVE_INFINITY;
        double[] bestPoint = null;
        int d = space.size();
        for (int i = 0; i < settings.numSamples(); i++) {
            double[] datum = model.good().points()[random.nextInt(model.good().points().length)];
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                Dim dim = space.dim(j);
                double bw = Math.max(model.good().bandwidths()[j], settings.minBandwidth());
                if (dim.categorical) {
                    v[j] = random.nextDouble() < 1 - bw ? datum[j] : random.nextInt(dim.size);
                } else {
                    v[j] = truncatedNormal(datum[j], settings.bandwidthFactor() * bw);
                }
            }
            double ratio = Math.max(1e-32, density(model.bad(), v)) / Math.max(1e-32, density(model.good(), v));
            if (ratio < best) {
                best = ratio;
                bestPoint = v;
            }
        }
        if (bestPoint == null) {
            return randomConfig();
        }
        double[] x = space.emptyPoint();
        activate(space.root(), bestPoint, x);
        return space.decode(x);
    }

    private Parameters randomConfig() {
        double[] x = space.emptyPoint();
        space.samplePrior(space.root(), x, random);
        return space.decode(x);
    }

    /** Copies the coordinates of the active part of {@code v} into {@code x}, unscaled. */
    private void activate(SpaceModel.Node node, double[] v, double[] x) {
        for (int id : node.dims) {
            Dim d = space.dim(id);
            if (d.categorical) {
                int option = (int) Math.max(0, Math.min(d.size - 1, Math.rint(v[id])));
                x[id] = option;
                if (d.branches[option] != null) {
                    activate(d.branches[option], v, x);
                }
            } else {
                x[id] = unscaled(d, v[id]);
            }
        }
    }

    private void fit(double budget) {
        List<double[]> xs = points.get(budget);
        List<Double> ls = losses.get(budget);
        int n = xs.size();
        int d = space.size();
        if (n < minPoints) {
            return;
        }
        int nGood = Math.max(minPoints, settings.topNPercent() * n / 100);
        int nBad = Math.max(minPoints, (100 - settings.topNPercent()) * n / 100);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(ls.get(a), ls.get(b)));
        double[][] good = imputed(xs, order, 0, Math.min(n, nGood));
        double[][] bad = imputed(xs, order, Math.min(n, nGood), Math.min(n, nGood + nBad));
        if (good.length <= d || bad.length <= d) {
            return;
        }
        models.put(budget, new Pair(new Kde(good, bandwidths(good)), new Kde(bad, bandwidths(bad))));
    }

    /** The points {@code order[from..to)}, with every inactive coordinate imputed (HpBandSter's rule). */
    private double[][] imputed(List<double[]> xs, Integer[] order, int from, int to) {
        double[][] out = new double[to - from][];
        for (int i = from; i < to; i++) {
            out[i - from] = xs.get(order[i]).clone();
        }
        for (double[] row : out) {
            for (int j = 0; j < row.length; j++) {
                if (!Double.isNaN(row[j])) {
                    continue;
                }
                List<double[]> donors = new ArrayList<>();
                for (double[] other : out) {
                    if (!Double.isNaN(other[j])) {
                        donors.add(other);
                    }
                }
                Dim dim = space.dim(j);
                row[j] = !donors.isEmpty() ? donors.get(random.nextInt(donors.size()))[j]
                        : dim.categorical ? random.nextInt(dim.size) : random.nextDouble();
            }
        }
        return out;
    }

    /** statsmodels' {@code normal_reference} rule, clipped below at {@code min_bandwidth}. */
    private double[] bandwidths(double[][] data) {
        int n = data.length;
        int d = space.size();
        double[] bw = new double[d];
        double factor = 1.06 * Math.pow(n, -1.0 / (4 + d));
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (double[] row : data) {
                mean += row[j];
            }
            mean /= n;
            double var = 0;
            for (double[] row : data) {
                var += (row[j] - mean) * (row[j] - mean);
            }
            double h = Math.max(settings.minBandwidth(), factor * Math.sqrt(var / n));
            Dim dim = space.dim(j);
            // beyond (c − 1) / c the Aitchison–Aitken kernel would favour the other options over the observed one
            bw[j] = dim.categorical ? Math.min(h, (dim.size - 1.0) / dim.size) : h;
        }
        return bw;
    }

    /** The product-kernel density of {@code v}, averaged over the estimate's points. */
    private double density(Kde kde, double[] v) {
        double sum = 0;
        double[] bw = kde.bandwidths();
        for (double[] p : kde.points()) {
            double k = 1;
            for (int j = 0; j < v.length && k > 0; j++) {
                Dim dim = space.dim(j);
                if (dim.categorical) {
                    k *= dim.size == 1 ? 1 : v[j] == p[j] ? 1 - bw[j] : bw[j] / (dim.size - 1);
                } else {
                    double z = (v[j] - p[j]) / bw[j];
                    k *= Math.exp(-0.5 * z * z) / (SQRT_2PI * bw[j]);
                }
            }
            sum += k;
        }
        return sum / kde.points().length;
    }

    /** A draw from the normal {@code (mean, sd)} truncated to {@code [0, 1]}, by rejection then clipping. */
    private double truncatedNormal(double mean, double sd) {
        for (int i = 0; i < 64; i++) {
            double x = mean + sd * random.nextGaussian();
            if (x >= 0 && x <= 1) {
                return x;
            }
        }
        return random.nextDouble();
    }

    private static double scaled(Dim d, double x) {
        if (d.categorical) {
            return x;
        }
        double low = low(d);
        return (x - low) / (high(d) - low);
    }

    private static double unscaled(Dim d, double v) {
        double low = low(d);
        return low + v * (high(d) - low);
    }

    private static double low(Dim d) {
        return d.bounded ? d.low : d.priorMu - 3 * d.priorSigma;
    }

    private static double high(Dim d) {
        return d.bounded ? d.high : d.priorMu + 3 * d.priorSigma;
    }
}
