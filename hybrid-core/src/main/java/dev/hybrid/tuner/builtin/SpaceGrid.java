package dev.hybrid.tuner.builtin;

import dev.hybrid.space.Choice;
import dev.hybrid.space.ChoiceOption;
import dev.hybrid.space.ParameterSpec;
import dev.hybrid.space.QLogNormal;
import dev.hybrid.space.QLogUniform;
import dev.hybrid.space.QNormal;
import dev.hybrid.space.QUniform;
import dev.hybrid.space.RandInt;
import dev.hybrid.space.SearchSpace;
import dev.hybrid.space.ValueMapping;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The grid of a search space as {@link GridSearchTuner} walks it: an indexed list of parameter combinations that
 * grows epoch by epoch, where the list of epoch {@code e - 1} is always a prefix of that of epoch {@code e}.
 *
 * <p>Each parameter is an {@link Axis}, itself an indexed, growing list of values: discrete parameters hold all their
 * values from epoch 0; continuous ones hold the points of probability {@code 1/2} at epoch 0, then gain {@code 1/4,
 * 3/4}, then the odd eighths, and so on (mapped through {@link ValueMapping#fromUnit}); the q-normal types gain the
 * distinct quantised values of those points. The combinations new in epoch {@code e} are those with at least one
 * value new in {@code e}, listed as disjoint blocks: block {@code i} takes old values before axis {@code i}, new
 * values at {@code i} and any value after it. A nested choice is an axis whose values are its branches' own grids.
 * Counts saturate at {@link Long#MAX_VALUE}; nobody walks that far.
 */
final class SpaceGrid {
    /** Continuous axes stop refining after this epoch, with 2^41 − 1 points: practically never. */
    static final int MAX_LEVEL = 40;
    /** The q-normal types may stop growing at any scale, so each epoch costs 2^epoch evaluations; capped lower. */
    static final int MAX_QUANTIZED_LEVEL = 16;

    private final List<String> names;
    private final List<Axis> axes;
    private final int lastGrowth;
    private final List<Long> counts = new ArrayList<>();

    private SpaceGrid(List<String> names, List<Axis> axes) {
        this.names = names;
        this.axes = axes;
        this.lastGrowth = axes.stream().mapToInt(Axis::lastGrowth).max().orElse(0);
    }

    static SpaceGrid of(SearchSpace space) {
        List<String> names = new ArrayList<>();
        List<Axis> axes = new ArrayList<>();
        for (ParameterSpec p : space.parameters()) {
            names.add(p.name());
            axes.add(axis(p));
        }
        return new SpaceGrid(List.copyOf(names), List.copyOf(axes));
    }

    /** The epoch after which the grid no longer grows: walking past it means the grid is exhausted. */
    int lastGrowth() {
        return lastGrowth;
    }

    /** How many combinations the grid holds up to and including {@code epoch}; an empty space holds one. */
    long count(int epoch) {
        if (epoch < 0) {
            return 0;
        }
        int e = Math.min(epoch, lastGrowth);
        while (counts.size() <= e) {
            int k = counts.size();
            long c = 1;
            for (Axis a : axes) {
                c = times(c, a.count(k));
            }
            counts.add(c);
        }
        return counts.get(e);
    }

    /** The combination at {@code index}, parameters in the space's order. */
    Map<String, Object> combo(long index) {
        int e = epochOf(index);
        long offset = index - count(e - 1);
        int d = axes.size();
        long[] old = new long[d];
        long[] all = new long[d];
        for (int j = 0; j < d; j++) {
            old[j] = axes.get(j).count(e - 1);
            all[j] = axes.get(j).count(e);
        }
        for (int i = 0; i < d; i++) {
            long fresh = all[i] - old[i];
            if (fresh == 0) {
                continue;
            }
            long size = fresh;
            for (int j = 0; j < d; j++) {
                if (j != i) {
                    size = times(size, j < i ? old[j] : all[j]);
                }
            }
            if (offset >= size) {
                offset -= size;
                continue;
            }
            long[] at = new long[d];
            for (int j = d - 1; j >= 0; j--) {
                long radix = j < i ? old[j] : j == i ? fresh : all[j];
                at[j] = (j == i ? old[j] : 0) + offset % radix;
                offset /= radix;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (int j = 0; j < d; j++) {
                out.put(names.get(j), axes.get(j).value(at[j]));
            }
            return out;
        }
        if (d == 0 && index == 0) {
            return new LinkedHashMap<>();
        }
        throw new IllegalStateException("no combination " + index + " in epoch " + e);
    }

    private int epochOf(long index) {
        int e = 0;
        while (count(e) <= index) {
            if (e >= lastGrowth) {
                throw new IllegalArgumentException("index " + index + " is past the whole grid of " + count(e));
            }
            e++;
        }
        return e;
    }

    private static Axis axis(ParameterSpec p) {
        if (p instanceof Choice c) {
            return c.isNested() ? new NestedChoiceAxis(c) : new ValuesAxis(c);
        }
        if (p instanceof RandInt r) {
            return new RandIntAxis(r);
        }
        if (p instanceof QUniform q) {
            return new QuantizedRangeAxis(q.low(), q.high(), q.q());
        }
        if (p instanceof QLogUniform q) {
            return new QuantizedRangeAxis(q.low(), q.high(), q.q());
        }
        if (p instanceof QNormal || p instanceof QLogNormal) {
            return new QuantizedRefinedAxis(p);
        }
        return new RefinedAxis(p);
    }

    static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    private static long saturate(double n) {
        return n >= 0x1p63 ? Long.MAX_VALUE : (long) n;
    }

    static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** The probability of the {@code index}-th refinement point: 1/2, 1/4, 3/4, 1/8, 3/8, ... */
    static double unitPoint(long index) {
        long m = index + 1;
        int level = 63 - Long.numberOfLeadingZeros(m);
        long j = m - (1L << level);
        return (2.0 * j + 1) * Math.scalb(1.0, -(level + 1));
    }

    static Object integer(long x) {
        return x == (int) x ? (Object) (int) x : (Object) x;
    }

    /** One parameter's values as an indexed list that only grows at its end, epoch by epoch. */
    interface Axis {
        /** Values up to and including {@code epoch}; 0 for a negative epoch. */
        long count(int epoch);

        /** The value at {@code index}, which is below some epoch's count. */
        Object value(long index);

        /** The last epoch that adds values. */
        int lastGrowth();
    }

    /** A choice of plain values, repeats dropped. */
    private static final class ValuesAxis implements Axis {
        private final List<Object> values;

        ValuesAxis(Choice c) {
            Set<Object> distinct = new LinkedHashSet<>();
            for (ChoiceOption o : c.options()) {
                distinct.add(((ChoiceOption.Value) o).value());
            }
            values = List.copyOf(distinct);
        }

        @Override
        public long count(int epoch) {
            return epoch < 0 ? 0 : values.size();
        }

        @Override
        public Object value(long index) {
            return values.get((int) index);
        }

        @Override
        public int lastGrowth() {
            return 0;
        }
    }

    private record RandIntAxis(RandInt spec) implements Axis {
        @Override
        public long count(int epoch) {
            // size() overflows for ranges wider than Long.MAX_VALUE.
            return epoch < 0 ? 0 : spec.size() > 0 ? spec.size() : Long.MAX_VALUE;
        }

        @Override
        public Object value(long index) {
            return integer(spec.lower() + index);
        }

        @Override
        public int lastGrowth() {
            return 0;
        }
    }

    /**
     * The distinct values of {@code quniform}/{@code qloguniform}: {@code clip(k·q, low, high)} for every integer
     * {@code k} from {@code rint(low/q)} to {@code rint(high/q)}. Only the ends can be clipped, so no two coincide.
     */
    private record QuantizedRangeAxis(double low, double high, double q, double first, long size) implements Axis {
        QuantizedRangeAxis(double low, double high, double q) {
            this(low, high, q, Math.rint(low / q), saturate(Math.rint(high / q) - Math.rint(low / q) + 1));
        }

        @Override
        public long count(int epoch) {
            return epoch < 0 ? 0 : size;
        }

        @Override
        public Object value(long index) {
            return Math.min(high, Math.max(low, (first + index) * q + 0.0));
        }

        @Override
        public int lastGrowth() {
            return 0;
        }
    }

    /** A continuous parameter: the refinement points in order, mapped through the spec's distribution. */
    private record RefinedAxis(ParameterSpec spec) implements Axis {
        @Override
        public long count(int epoch) {
            return epoch < 0 ? 0 : (1L << (Math.min(epoch, MAX_LEVEL) + 1)) - 1;
        }

        @Override
        public Object value(long index) {
            return ValueMapping.fromUnit(spec, unitPoint(index));
        }

        @Override
        public int lastGrowth() {
            return MAX_LEVEL;
        }
    }

    /** {@code qnormal}/{@code qlognormal}: the refinement points quantised, each distinct value once. */
    private static final class QuantizedRefinedAxis implements Axis {
        private final ParameterSpec spec;
        private final List<Double> values = new ArrayList<>();
        private final Set<Double> seen = new HashSet<>();
        private final List<Integer> counts = new ArrayList<>();

        QuantizedRefinedAxis(ParameterSpec spec) {
            this.spec = spec;
        }

        @Override
        public long count(int epoch) {
            if (epoch < 0) {
                return 0;
            }
            int e = Math.min(epoch, MAX_QUANTIZED_LEVEL);
            while (counts.size() <= e) {
                long from = (1L << counts.size()) - 1;
                for (long i = from; i < 2 * from + 1; i++) {
                    double v = ValueMapping.fromUnit(spec, unitPoint(i));
                    if (seen.add(v)) {
                        values.add(v);
                    }
                }
                counts.add(values.size());
            }
            return counts.get(e);
        }

        @Override
        public Object value(long index) {
            return values.get((int) index);
        }

        @Override
        public int lastGrowth() {
            return MAX_QUANTIZED_LEVEL;
        }
    }

    /**
     * A choice with nested branches: in each epoch, option by option, each plain value (epoch 0 only) and each
     * branch's combinations new in that epoch. A chosen branch's value is {@code {"_name": name, ...its parameters}}.
     * Options repeating an earlier value or branch name are dropped.
     */
    private static final class NestedChoiceAxis implements Axis {
        /** Per option: the plain value, or the branch's name, with its grid in {@link #grids}. */
        private final List<Object> options = new ArrayList<>();
        private final List<SpaceGrid> grids = new ArrayList<>();
        private final int lastGrowth;

        NestedChoiceAxis(Choice c) {
            Set<Object> seenValues = new HashSet<>();
            Set<String> seenNames = new HashSet<>();
            for (ChoiceOption o : c.options()) {
                if (o instanceof ChoiceOption.Nested n) {
                    if (seenNames.add(n.name())) {
                        options.add(n.name());
                        grids.add(SpaceGrid.of(n.space()));
                    }
                } else if (o instanceof ChoiceOption.Value v && seenValues.add(v.value())) {
                    options.add(v.value());
                    grids.add(null);
                }
            }
            lastGrowth = grids.stream().filter(Objects::nonNull).mapToInt(SpaceGrid::lastGrowth).max().orElse(0);
        }

        private long optionCount(int option, int epoch) {
            SpaceGrid g = grids.get(option);
            return g != null ? g.count(epoch) : epoch < 0 ? 0 : 1;
        }

        @Override
        public long count(int epoch) {
            long c = 0;
            for (int o = 0; o < options.size(); o++) {
                c = plus(c, optionCount(o, epoch));
            }
            return c;
        }

        @Override
        public Object value(long index) {
            int e = 0;
            while (count(e) <= index) {
                if (e >= lastGrowth) {
                    throw new IllegalArgumentException("index " + index + " is past the whole grid of " + count(e));
                }
                e++;
            }
            long offset = index - count(e - 1);
            for (int o = 0; o < options.size(); o++) {
                long before = optionCount(o, e - 1);
                long fresh = optionCount(o, e) - before;
                if (offset >= fresh) {
                    offset -= fresh;
                    continue;
                }
                SpaceGrid g = grids.get(o);
                if (g == null) {
                    return options.get(o);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("_name", options.get(o));
                out.putAll(g.combo(before + offset));
                return Collections.unmodifiableMap(out);
            }
            throw new IllegalStateException("no value " + index + " in epoch " + e);
        }

        @Override
        public int lastGrowth() {
            return lastGrowth;
        }
    }
}
