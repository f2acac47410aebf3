package dev.hybrid.dashboard.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameter importance as the share of the metric's variance that each parameter's marginal explains on its own:
 * the correlation ratio eta squared, {@code sum_b n_b (mean_b - mean)^2 / sum_i (y_i - mean)^2}, over bins of the
 * parameter. This is the first-order (main-effect) term of a functional ANOVA computed on the observed trials
 * instead of on a fitted random forest (fANOVA proper), so it misses interactions but needs no model and is
 * deterministic. Numeric parameters are cut into up to ten equal-count bins by rank (so log-scaled parameters bin as
 * well as linear ones), with at least three trials per bin on average; other values form one bin each. With few trials per bin eta squared is biased upwards, so a
 * parameter is scored only with at least two trials per bin on average and at least five trials in all.
 */
public final class Importance {
    private static final int NUMERIC_BINS = 10;

    private Importance() {
    }

    /** One parameter's score: {@code eta2} in [0, 1], {@code share} its part of the scores' sum. */
    public record Score(String name, double eta2, double share) {
    }

    /**
     * The scores of each parameter, highest first.
     *
     * @param values a row per trial: its parameters' values by name
     * @param metric each row's metric (finite)
     */
    public static List<Score> of(List<String> names, List<Map<String, Object>> values, double[] metric) {
        int n = metric.length;
        List<Score> out = new ArrayList<>();
        if (n < 5) {
            return out;
        }
        double mean = 0;
        for (double y : metric) {
            mean += y;
        }
        mean /= n;
        double total = 0;
        for (double y : metric) {
            total += (y - mean) * (y - mean);
        }
        if (!(total > 0)) {
            return out;
        }
        List<double[]> raw = new ArrayList<>();
        for (String name : names) {
            int[] bin = bins(name, values);
            int bins = 0;
            for (int b : bin) {
                bins = Math.max(bins, b + 1);
            }
            if (bins < 2 || n < 2 * bins) {
                continue;
            }
            double[] sum = new double[bins];
            int[] count = new int[bins];
            for (int i = 0; i < n; i++) {
                sum[bin[i]] += metric[i];
                count[bin[i]]++;
            }
            double between = 0;
            for (int b = 0; b < bins; b++) {
                if (count[b] > 0) {
                    double m = sum[b] / count[b];
                    between += count[b] * (m - mean) * (m - mean);
                }
            }
            raw.add(new double[] {names.indexOf(name), Math.min(1, between / total)});
        }
        double all = raw.stream().mapToDouble(r -> r[1]).sum();
        for (double[] r : raw) {
            out.add(new Score(names.get((int) r[0]), r[1], all > 0 ? r[1] / all : 0));
        }
        out.sort(Comparator.comparingDouble(Score::eta2).reversed());
        return out;
    }

    /** Each row's bin of one parameter; rows without the parameter share a bin of their own. */
    private static int[] bins(String name, List<Map<String, Object>> values) {
        int n = values.size();
        int[] bin = new int[n];
        boolean numeric = values.stream().allMatch(v -> v.get(name) instanceof Number);
        if (numeric) {
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            // Each value is read once: looking it up in every comparison cost most of this chart's time.
            double[] key = new double[n];
            for (int i = 0; i < n; i++) {
                key[i] = ((Number) values.get(i).get(name)).doubleValue();
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(key[a], key[b]));
            int bins = Math.max(2, Math.min(NUMERIC_BINS, n / 3));
            // Equal values go to one bin, so a parameter with few distinct values is binned by value.
            double previous = Double.NaN;
            int current = -1;
            for (int rank = 0; rank < n; rank++) {
                int i = order[rank];
                double v = key[i];
                int target = (int) ((long) rank * bins / n);
                if (v != previous && target > current) {
                    current = target;
                }
                bin[i] = Math.max(current, 0);
                previous = v;
            }
            // Renumber densely: bins left empty by ties would otherwise count as bins.
            Map<Integer, Integer> dense = new HashMap<>();
            for (int i = 0; i < n; i++) {
                bin[i] = dense.computeIfAbsent(bin[i], k -> dense.size());
            }
            return bin;
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < n; i++) {
            bin[i] = index.computeIfAbsent(String.valueOf(values.get(i).get(name)), k -> index.size());
        }
        return bin;
    }
}
