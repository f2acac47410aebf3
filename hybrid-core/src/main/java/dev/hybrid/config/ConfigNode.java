package dev.hybrid.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A read-only view of one mapping of a configuration (a tuner's {@code classArgs}, say) that typed getters read and
 * check. Each getter marks its key as known; a bad value is recorded as a problem at the key's field path (for
 * example {@code tuner.classArgs.gamma}) and the getter returns the default, so that one pass finds every problem.
 * {@link #rejectUnknownKeys()} then reports keys no getter asked for. Values are plain JDK objects as a JSON or YAML
 * parser gives them: {@code String}, {@code Number}, {@code Boolean}, {@code List}, {@code Map}, or {@code null}.
 * Not thread-safe.
 */
public final class ConfigNode {
    private final Map<String, Object> values;
    private final FieldPath path;
    private final Problems problems;
    private final boolean lenientKeys;
    private final Map<String, String> byNormalizedKey = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();

    private ConfigNode(Map<String, ?> values, FieldPath path, Problems problems, boolean lenientKeys) {
        this.values = new LinkedHashMap<>(values);
        this.path = Objects.requireNonNull(path, "path");
        this.problems = Objects.requireNonNull(problems, "problems");
        this.lenientKeys = lenientKeys;
        if (lenientKeys) {
            for (String k : this.values.keySet()) {
                byNormalizedKey.putIfAbsent(normalize(k), k);
            }
        }
    }

    private ConfigNode(Map<String, ?> values, FieldPath path, Problems problems) {
        this(values, path, problems, false);
    }

    /**
     * A node whose keys match case-insensitively with underscores ignored, as NNI's v2 config does
     * ({@code trial_command} reads {@code trialCommand}); problems keep the user's own spelling. Child nodes inherit it.
     */
    public static ConfigNode lenient(Map<String, ?> values, FieldPath path, Problems problems) {
        Objects.requireNonNull(values, "values");
        return new ConfigNode(values, path, problems, true);
    }

    private static String normalize(String key) {
        return key.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The key as the user spelled it (the requested key when absent). */
    private String actual(String key) {
        if (values.containsKey(key) || !lenientKeys) {
            return key;
        }
        return byNormalizedKey.getOrDefault(normalize(key), key);
    }

    /** The path of a key, in the user's spelling. */
    public FieldPath pathOf(String key) {
        return path.child(actual(key));
    }

    /** The keys present, as the user spelled them. */
    public Set<String> keys() {
        return java.util.Collections.unmodifiableSet(values.keySet());
    }

    /** A node over {@code values} at {@code path}, recording into {@code problems}. */
    public static ConfigNode of(Map<String, ?> values, FieldPath path, Problems problems) {
        Objects.requireNonNull(values, "values");
        return new ConfigNode(values, path, problems);
    }

    /** An empty node, for components configured without arguments. */
    public static ConfigNode empty(FieldPath path, Problems problems) {
        return new ConfigNode(Map.of(), path, problems);
    }

    public FieldPath path() {
        return path;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String key) {
        String k = actual(key);
        read.add(k);
        return values.containsKey(k) && values.get(k) != null;
    }

    /**
     * Whether the key is present at all, even with an explicit null value (which {@link #has} treats as absent);
     * marks it as known. Lets a reader tell {@code key: null} (NNI's way to disable an option) from a missing key.
     */
    public boolean containsKey(String key) {
        String k = actual(key);
        read.add(k);
        return values.containsKey(k);
    }

    /** The raw value of a key, marking it as known. */
    public Optional<Object> raw(String key) {
        String k = actual(key);
        read.add(k);
        return Optional.ofNullable(values.get(k));
    }

    /** Marks keys as known without reading them (keys that another component validates). */
    public void markKnown(String... keys) {
        for (String k : keys) {
            read.add(actual(k));
        }
    }

    /** Records a problem at this node's path, or at one of its keys. */
    public void problem(String key, String message) {
        problems.add(key.isEmpty() ? path : pathOf(key), message);
    }

    /**
     * A list of mappings as nodes at {@code key[i]}; empty when absent. Items that are not mappings are reported.
     */
    public List<ConfigNode> nodeList(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            problems.add(pathOf(key), "must be a list, was " + describe(v));
            return List.of();
        }
        List<ConfigNode> out = new java.util.ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            Object item = l.get(i);
            if (item instanceof Map<?, ?> m) {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, val) -> copy.put(String.valueOf(k), val));
                out.add(new ConfigNode(copy, pathOf(key).index(i), problems, lenientKeys));
            } else {
                problems.add(pathOf(key).index(i), "must be a mapping, was " + describe(item));
            }
        }
        return out;
    }

    /** A list value, or empty when absent; a non-list is reported. */
    public Optional<List<Object>> list(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> l) {
            return Optional.of(java.util.Collections.unmodifiableList(new java.util.ArrayList<Object>(l)));
        }
        problems.add(pathOf(key), "must be a list, was " + describe(v));
        return Optional.empty();
    }

    /** A mapping value as plain JDK objects, or empty when absent; a non-mapping is reported. */
    public Optional<Map<String, Object>> map(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, val) -> copy.put(String.valueOf(k), val));
            return Optional.of(java.util.Collections.unmodifiableMap(copy));
        }
        problems.add(pathOf(key), "must be a mapping, was " + describe(v));
        return Optional.empty();
    }

    /** A string value, or {@code def} when absent or null. */
    public String string(String key, String def) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return def;
        }
        if (v instanceof String s) {
            return s;
        }
        problems.add(pathOf(key), "must be a string, was " + describe(v));
        return def;
    }

    /** An optional string value. */
    public Optional<String> optionalString(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        problems.add(pathOf(key), "must be a string, was " + describe(v));
        return Optional.empty();
    }

    /**
     * An enum value named case-insensitively (so {@code maximize} reads {@code MAXIMIZE}), or {@code def} when absent.
     */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E def) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return def;
        }
        if (v instanceof String s) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equalsIgnoreCase(s.trim())) {
                    return e;
                }
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        problems.add(pathOf(key), "must be one of " + names + ", was " + describe(v));
        return def;
    }

    /** A number in the closed range {@code [min, max]}, or {@code def} when absent. */
    public double doubleIn(String key, double def, double min, double max) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n && !(v instanceof Double d && d.isNaN())) {
            double x = n.doubleValue();
            if (x >= min && x <= max) {
                return x;
            }
            problems.add(pathOf(key), "must be in [" + fmt(min) + ", " + fmt(max) + "], was " + fmt(x));
            return def;
        }
        problems.add(pathOf(key), "must be a number, was " + describe(v));
        return def;
    }

    /** An integer in the closed range {@code [min, max]}, or {@code def} when absent. */
    public long longIn(String key, long def, long min, long max) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return def;
        }
        if (v instanceof Number n && isIntegral(n)) {
            if (!fitsLong(n)) {
                problems.add(pathOf(key), "must be in " + min + ".." + max + ", was " + written(n));
                return def;
            }
            long x = n.longValue();
            if (x >= min && x <= max) {
                return x;
            }
            problems.add(pathOf(key), "must be in " + min + ".." + max + ", was " + x);
            return def;
        }
        problems.add(pathOf(key), "must be an integer, was " + describe(v));
        return def;
    }

    /** An integer in {@code [min, max]}, or {@code def} when absent. */
    public int intIn(String key, int def, int min, int max) {
        return (int) longIn(key, def, min, max);
    }

    /** An optional integer (e.g. a seed). */
    public Optional<Long> optionalLong(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Number n && isIntegral(n)) {
            if (!fitsLong(n)) {
                problems.add(pathOf(key), "must be an integer in " + Long.MIN_VALUE + ".." + Long.MAX_VALUE
                        + ", was " + written(n));
                return Optional.empty();
            }
            return Optional.of(n.longValue());
        }
        problems.add(pathOf(key), "must be an integer, was " + describe(v));
        return Optional.empty();
    }

    /**
     * A list of distinct non-negative indices written as NNI accepts them (its {@code gpuIndices}): an integer, a list
     * of integers, or a comma-separated string such as {@code "0,1"}; empty when absent or wrong (then reported).
     */
    public Optional<List<Integer>> indexList(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return Optional.empty();
        }
        List<Object> items = new java.util.ArrayList<>();
        if (v instanceof Integer || v instanceof Long) {
            items.add(v);
        } else if (v instanceof String s) {
            for (String part : s.split(",")) {
                String t = part.trim();
                try {
                    items.add(Integer.parseInt(t));
                } catch (NumberFormatException e) {
                    items.add(t);
                }
            }
        } else if (v instanceof List<?> l) {
            items.addAll(l);
        } else {
            problems.add(pathOf(key), "must be an integer, a list of integers or a string like \"0,1\", was "
                    + describe(v));
            return Optional.empty();
        }
        List<Integer> out = new java.util.ArrayList<>();
        for (Object o : items) {
            if (!(o instanceof Integer i) || i < 0 || out.contains(i)) {
                problems.add(pathOf(key), "must hold distinct non-negative integers, was " + describe(v));
                return Optional.empty();
            }
            out.add(i);
        }
        return Optional.of(List.copyOf(out));
    }

    /** A boolean, or {@code def} when absent. */
    public boolean bool(String key, boolean def) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        problems.add(pathOf(key), "must be true or false, was " + describe(v));
        return def;
    }

    /** A nested mapping as its own node (empty when absent); its unknown keys are checked by its own caller. */
    public ConfigNode child(String key) {
        Object v = raw(key).orElse(null);
        if (v == null) {
            return new ConfigNode(Map.of(), pathOf(key), problems, lenientKeys);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, val) -> copy.put(String.valueOf(k), val));
            return new ConfigNode(copy, pathOf(key), problems, lenientKeys);
        }
        problems.add(pathOf(key), "must be a mapping, was " + describe(v));
        return new ConfigNode(Map.of(), pathOf(key), problems, lenientKeys);
    }

    /** Records a problem for each key that no getter has asked for: typos are errors, never silently dropped. */
    public void rejectUnknownKeys() {
        for (String key : values.keySet()) {
            if (!read.contains(key)) {
                problems.add(pathOf(key), "unknown key; known: " + read);
            }
        }
    }

    /** Whether {@code n} converts to a long exactly; a larger value would be clamped, hiding what was written. */
    private static boolean fitsLong(Number n) {
        if (n instanceof java.math.BigInteger b) {
            return b.bitLength() < 64;
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return d >= -0x1p63 && d < 0x1p63;
        }
        return true;
    }

    private static String written(Number n) {
        return n instanceof Double || n instanceof Float ? fmt(n.doubleValue()) : n.toString();
    }

    private static boolean isIntegral(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        return true;
    }

    static String describe(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return String.valueOf(v);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? String.valueOf((long) x) : String.valueOf(x);
    }
}
