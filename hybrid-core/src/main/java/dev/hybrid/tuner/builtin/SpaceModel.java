package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.LogNormal;
import dev.hybrid.space.LogUniform;
import dev.hybrid.space.Normal;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.Parameters;
import dev.hybrid.space.QLogNormal;
import dev.hybrid.space.QLogUniform;
import dev.hybrid.space.QNormal;
import dev.hybrid.space.QUniform;
import dev.hybrid.space.RandInt;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.Uniform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A search space flattened into numbered dimensions for model-based tuners. Every parameter, at any nesting depth,
 * becomes one {@link Dim}: a categorical index ({@code choice}) or a continuous coordinate in an internal space
 * (log space for the log types, {@code [lower - 0.5, upper - 0.5]} for {@code randint}); quantisation and {@code exp}
 * are applied only when a point is turned back into {@link Parameters}. Each (sub-)space is a {@link Node}; a node
 * below a nested choice is active only in points whose parent choice took that branch. In a point, the coordinates
 * of inactive dimensions are NaN.
 */
final class SpaceModel {

    /** One flattened parameter. */
    static final class Dim {
        final int index;
        final ParameterSpec spec;
        final boolean categorical;
        final int size;
        final boolean bounded;
        final double low;
        final double high;
        final double priorMu;
        final double priorSigma;
        /** For a choice: the sub-space node of each option, or null for a plain option. */
        final Node[] branches;

        Dim(int index, ParameterSpec spec, boolean categorical, int size, boolean bounded, double low, double high,
                double priorMu, double priorSigma, Node[] branches) {
            this.index = index;
            this.spec = spec;
            this.categorical = categorical;
            this.size = size;
            this.bounded = bounded;
            this.low = low;
            this.high = high;
            this.priorMu = priorMu;
            this.priorSigma = priorSigma;
            this.branches = branches;
        }

        /** Whether this is a nested choice, i.e. chooses between sub-spaces. */
        boolean isStructural() {
            if (!categorical) {
                return false;
            }
            for (Node b : branches) {
                if (b != null) {
                    return true;
                }
            }
            return false;
        }

        /** The width the bandwidth rules scale with: the range when bounded, the prior sigma otherwise. */
        double width() {
            return bounded ? high - low : priorSigma;
        }
    }

    /** One (sub-)space: its own parameters, active when its parent choice took {@link #parentOption}. */
    static final class Node {
        final int[] dims;
        final int parentDim;
        final int parentOption;

        Node(int[] dims, int parentDim, int parentOption) {
            this.dims = dims;
            this.parentDim = parentDim;
            this.parentOption = parentOption;
        }

        /** Whether this node is active in a point (its parent choice took this branch; the root always is). */
        boolean isActiveIn(double[] point) {
            return parentDim < 0 || point[parentDim] == parentOption;
        }
    }

    private final SearchSpace space;
    private final List<Dim> dims = new ArrayList<>();
    private final Node root;

    SpaceModel(SearchSpace space) {
        this.space = space;
        this.root = build(space, -1, -1);
    }

    Node root() {
        return root;
    }

    int size() {
        return dims.size();
    }

    Dim dim(int i) {
        return dims.get(i);
    }

    private Node build(SearchSpace sub, int parentDim, int parentOption) {
        int[] ids = new int[sub.parameters().size()];
        int k = 0;
        for (ParameterSpec p : sub.parameters()) {
            ids[k++] = add(p);
        }
        return new Node(ids, parentDim, parentOption);
    }

    private int add(ParameterSpec p) {
        int index = dims.size();
        dims.add(null); // reserve the slot so that a choice comes before its branches' parameters
        Dim d;
        if (p instanceof Choice c) {
            Node[] branches = new Node[c.size()];
            for (int i = 0; i < c.size(); i++) {
                if (c.options().get(i) instanceof ChoiceOption.Nested n) {
                    branches[i] = build(n.space(), index, i);
                }
            }
            d = new Dim(index, p, true, c.size(), true, 0, c.size(), 0, 0, branches);
        } else if (p instanceof RandInt r) {
            d = bounded(index, p, r.lower() - 0.5, r.upper() - 0.5);
        } else if (p instanceof Uniform u) {
            d = bounded(index, p, u.low(), u.high());
        } else if (p instanceof QUniform u) {
            d = bounded(index, p, u.low(), u.high());
        } else if (p instanceof LogUniform u) {
            d = bounded(index, p, Math.log(u.low()), Math.log(u.high()));
        } else if (p instanceof QLogUniform u) {
            d = bounded(index, p, Math.log(u.low()), Math.log(u.high()));
        } else if (p instanceof Normal n) {
            d = unbounded(index, p, n.mu(), n.sigma());
        } else if (p instanceof QNormal n) {
            d = unbounded(index, p, n.mu(), n.sigma());
        } else if (p instanceof LogNormal n) {
            d = unbounded(index, p, n.mu(), n.sigma());
        } else if (p instanceof QLogNormal n) {
            d = unbounded(index, p, n.mu(), n.sigma());
        } else {
            throw new IllegalArgumentException("unknown parameter spec " + p);
        }
        dims.set(index, d);
        return index;
    }

    private static Dim bounded(int index, ParameterSpec p, double low, double high) {
        return new Dim(index, p, false, 0, true, low, high, 0.5 * (low + high), high - low, null);
    }

    private static Dim unbounded(int index, ParameterSpec p, double mu, double sigma) {
        return new Dim(index, p, false, 0, false, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, mu, sigma,
                null);
    }

    /** A point with every coordinate NaN (inactive). */
    double[] emptyPoint() {
        double[] x = new double[dims.size()];
        java.util.Arrays.fill(x, Double.NaN);
        return x;
    }

    /** Draws one coordinate from the dimension's prior: uniform index, uniform in range, or the spec's normal. */
    static double samplePrior(Dim d, RandomGenerator random) {
        if (d.categorical) {
            return random.nextInt(d.size);
        }
        if (d.bounded) {
            return d.low + (d.high - d.low) * random.nextDouble();
        }
        return d.priorMu + d.priorSigma * random.nextGaussian();
    }

    /** Fills the active coordinates of {@code node} and its chosen branches from the priors. */
    void samplePrior(Node node, double[] x, RandomGenerator random) {
        for (int id : node.dims) {
            Dim d = dims.get(id);
            x[id] = samplePrior(d, random);
            if (d.categorical && d.branches[(int) x[id]] != null) {
                samplePrior(d.branches[(int) x[id]], x, random);
            }
        }
    }

    /** A new value for one coordinate of a point derived from {@code base}: see {@link #derive}. */
    interface Step {
        double next(Dim d, double baseValue);
    }

    /**
     * A point derived from {@code base} (a mutation, a neighbour): each coordinate active in the new point is
     * {@code step} applied to its value in {@code base}, or a draw from the prior where {@code base} has none (a
     * branch that a changed nested choice has just switched on). Branches switched off stay NaN.
     */
    double[] derive(double[] base, Step step, RandomGenerator random) {
        double[] x = emptyPoint();
        derive(root, base, x, step, random);
        return x;
    }

    private void derive(Node node, double[] base, double[] x, Step step, RandomGenerator random) {
        for (int id : node.dims) {
            Dim d = dims.get(id);
            x[id] = Double.isNaN(base[id]) ? samplePrior(d, random) : step.next(d, base[id]);
            if (d.categorical && d.branches[(int) x[id]] != null) {
                derive(d.branches[(int) x[id]], base, x, step, random);
            }
        }
    }

    /** Turns a point into the parameters an NNI trial receives. */
    Parameters decode(double[] x) {
        return new Parameters(decode(space, root, x));
    }

    private Map<String, Object> decode(SearchSpace sub, Node node, double[] x) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int k = 0; k < node.dims.length; k++) {
            Dim d = dims.get(node.dims[k]);
            out.put(sub.parameters().get(k).name(), value(d, x));
        }
        return out;
    }

    private Object value(Dim d, double[] x) {
        double v = x[d.index];
        ParameterSpec p = d.spec;
        if (p instanceof Choice c) {
            int i = (int) v;
            ChoiceOption o = c.options().get(i);
            if (o instanceof ChoiceOption.Nested n) {
                Map<String, Object> branch = new LinkedHashMap<>();
                branch.put("_name", n.name());
                branch.putAll(decode(n.space(), d.branches[i], x));
                return branch;
            }
            return ((ChoiceOption.Value) o).value();
        }
        if (p instanceof RandInt r) {
            long n = Math.max(r.lower(), Math.min(r.upper() - 1, (long) Math.rint(v)));
            return n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE ? (Object) (int) n : (Object) n;
        }
        if (p instanceof Uniform u) {
            return clamp(v, u.low(), u.high());
        }
        if (p instanceof QUniform u) {
            return u.quantize(v);
        }
        if (p instanceof LogUniform u) {
            return clamp(Math.exp(v), u.low(), u.high());
        }
        if (p instanceof QLogUniform u) {
            return u.quantize(Math.exp(v));
        }
        if (p instanceof Normal) {
            return v;
        }
        if (p instanceof QNormal n) {
            return n.quantize(v);
        }
        if (p instanceof LogNormal) {
            return Math.exp(v);
        }
        if (p instanceof QLogNormal n) {
            return n.quantize(Math.exp(v));
        }
        throw new IllegalStateException("unknown parameter spec " + p);
    }

    /**
     * The point for parameters a trial ran with (the inverse of {@link #decode}), for results this tuner did not
     * propose itself: a resumed experiment's history or NNI import data. Empty when they do not fit the space (a
     * missing parameter, a value that is no option, a wrong type).
     */
    java.util.Optional<double[]> encode(Parameters parameters) {
        double[] x = emptyPoint();
        return encode(space, root, parameters.values(), x) ? java.util.Optional.of(x) : java.util.Optional.empty();
    }

    private boolean encode(SearchSpace sub, Node node, Map<String, Object> values, double[] x) {
        for (int k = 0; k < node.dims.length; k++) {
            Dim d = dims.get(node.dims[k]);
            Object v = values.get(sub.parameters().get(k).name());
            if (v == null || !encodeValue(d, v, x)) {
                return false;
            }
        }
        return true;
    }

    private boolean encodeValue(Dim d, Object v, double[] x) {
        ParameterSpec p = d.spec;
        if (p instanceof Choice c) {
            for (int i = 0; i < c.size(); i++) {
                ChoiceOption o = c.options().get(i);
                if (o instanceof ChoiceOption.Nested n) {
                    if (v instanceof Map<?, ?> m && n.name().equals(m.get("_name"))) {
                        x[d.index] = i;
                        @SuppressWarnings("unchecked")
                        Map<String, Object> branch = (Map<String, Object>) m;
                        return encode(n.space(), d.branches[i], branch, x);
                    }
                } else if (sameValue(((ChoiceOption.Value) o).value(), v)) {
                    x[d.index] = i;
                    return true;
                }
            }
            return false;
        }
        if (!(v instanceof Number num)) {
            return false;
        }
        double raw = num.doubleValue();
        boolean log = p instanceof LogUniform || p instanceof QLogUniform || p instanceof LogNormal
                || p instanceof QLogNormal;
        double internal = log ? Math.log(Math.max(raw, Double.MIN_NORMAL)) : raw;
        if (!Double.isFinite(internal)) {
            return false;
        }
        x[d.index] = d.bounded ? clamp(internal, d.low, d.high) : internal;
        return true;
    }

    private static boolean sameValue(Object option, Object v) {
        if (option instanceof Number a && v instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return option.equals(v);
    }

    private static double clamp(double v, double low, double high) {
        return Math.max(low, Math.min(high, v));
    }
}
