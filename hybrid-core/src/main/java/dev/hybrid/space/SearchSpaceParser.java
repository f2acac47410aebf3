package dev.hybrid.space;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hybrid.config.ConfigException;
import dev.hybrid.config.FieldPath;
import dev.hybrid.config.Problems;
import dev.hybrid.internal.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads NNI search-space JSON into specs, collecting every problem with its path. */
final class SearchSpaceParser {
    static final List<String> TYPES = List.of("choice", "randint", "uniform", "quniform", "loguniform",
            "qloguniform", "normal", "qnormal", "lognormal", "qlognormal");

    private final Problems problems = new Problems();

    private SearchSpaceParser() {
    }

    static SearchSpace parse(String json, FieldPath at) {
        Object plain;
        try {
            plain = Json.toPlain(Json.readTree(json));
        } catch (JsonProcessingException e) {
            throw new ConfigException(at, "search space is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        }
        if (!(plain instanceof Map<?, ?> m)) {
            throw new ConfigException(at, "search space must be a JSON object of parameter name to "
                    + "{\"_type\": ..., \"_value\": [...]}, was " + describe(plain));
        }
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) m;
        return fromPlain(map, at);
    }

    static SearchSpace fromPlain(Map<String, ?> plain, FieldPath at) {
        SearchSpaceParser p = new SearchSpaceParser();
        if (plain.isEmpty()) {
            p.problems.add(at, "search space has no parameters");
        }
        SearchSpace space = p.space(plain, at, false);
        p.problems.throwIfAny();
        return space;
    }

    private SearchSpace space(Map<String, ?> plain, FieldPath at, boolean nested) {
        List<ParameterSpec> specs = new ArrayList<>();
        for (Map.Entry<String, ?> e : plain.entrySet()) {
            String name = e.getKey();
            if (nested && name.equals("_name")) {
                continue;
            }
            FieldPath here = at.child(name);
            if (name.isBlank()) {
                problems.add(here, "parameter name must not be blank");
                continue;
            }
            ParameterSpec spec = spec(name, e.getValue(), here);
            if (spec != null) {
                specs.add(spec);
            }
        }
        return new SearchSpace(specs);
    }

    private ParameterSpec spec(String name, Object raw, FieldPath at) {
        if (!(raw instanceof Map<?, ?> m)) {
            problems.add(at, "must be an object {\"_type\": ..., \"_value\": [...]}, was " + describe(raw));
            return null;
        }
        boolean ok = true;
        for (Object key : m.keySet()) {
            if (!"_type".equals(key) && !"_value".equals(key)) {
                problems.add(at.child(String.valueOf(key)), "unknown key; a parameter has only _type and _value");
                ok = false;
            }
        }
        Object type = m.get("_type");
        Object value = m.get("_value");
        if (type == null) {
            problems.add(at.child("_type"), "is missing; one of " + TYPES);
            ok = false;
        } else if (!(type instanceof String t) || !TYPES.contains(t)) {
            problems.add(at.child("_type"), "unknown _type " + describe(type) + "; known: " + String.join(", ", TYPES));
            ok = false;
        }
        FieldPath vp = at.child("_value");
        if (value == null) {
            problems.add(vp, "is missing");
            return null;
        }
        if (!(value instanceof List<?> list)) {
            problems.add(vp, "must be a list, was " + describe(value));
            return null;
        }
        if (!ok) {
            return null;
        }
        String t = (String) type;
        if (t.equals("choice")) {
            return choice(name, list, vp);
        }
        if (t.equals("randint")) {
            return randint(name, list, vp);
        }
        boolean q = t.startsWith("q");
        int want = q ? 3 : 2;
        if (list.size() != want) {
            String shape = t.contains("normal") ? (q ? "[mu, sigma, q]" : "[mu, sigma]")
                    : (q ? "[low, high, q]" : "[low, high]");
            problems.add(vp, t + " needs " + want + " values " + shape + ", got " + list.size());
            return null;
        }
        double[] x = new double[want];
        boolean numbers = true;
        for (int i = 0; i < want; i++) {
            Object o = list.get(i);
            if (o instanceof Number n && !(o instanceof Double d && !Double.isFinite(d))) {
                x[i] = n.doubleValue();
            } else {
                problems.add(vp.index(i), "must be a finite number, was " + describe(o));
                numbers = false;
            }
        }
        if (!numbers) {
            return null;
        }
        boolean normal = t.contains("normal");
        boolean valid = true;
        if (normal) {
            valid &= problems.check(x[1] > 0, vp, "%s needs sigma > 0, was %s", t, fmt(x[1]));
        } else {
            valid &= problems.check(x[0] < x[1], vp, "%s needs low < high, was low=%s, high=%s", t, fmt(x[0]),
                    fmt(x[1]));
            if (t.contains("log")) {
                valid &= problems.check(x[0] > 0, vp, "%s needs low > 0, was %s", t, fmt(x[0]));
            }
        }
        if (q) {
            valid &= problems.check(x[2] > 0, vp, "%s needs q > 0, was %s", t, fmt(x[2]));
        }
        if (!valid) {
            return null;
        }
        return switch (t) {
            case "uniform" -> new Uniform(name, x[0], x[1]);
            case "quniform" -> new QUniform(name, x[0], x[1], x[2]);
            case "loguniform" -> new LogUniform(name, x[0], x[1]);
            case "qloguniform" -> new QLogUniform(name, x[0], x[1], x[2]);
            case "normal" -> new Normal(name, x[0], x[1]);
            case "qnormal" -> new QNormal(name, x[0], x[1], x[2]);
            case "lognormal" -> new LogNormal(name, x[0], x[1]);
            case "qlognormal" -> new QLogNormal(name, x[0], x[1], x[2]);
            default -> throw new IllegalStateException(t);
        };
    }

    private ParameterSpec randint(String name, List<?> list, FieldPath vp) {
        if (list.size() != 2) {
            problems.add(vp, "randint needs 2 values [lower, upper], got " + list.size());
            return null;
        }
        long[] b = new long[2];
        boolean ok = true;
        for (int i = 0; i < 2; i++) {
            Object o = list.get(i);
            if (o instanceof Integer || o instanceof Long) {
                b[i] = ((Number) o).longValue();
            } else {
                problems.add(vp.index(i), "randint bounds must be integers, was " + describe(o));
                ok = false;
            }
        }
        if (!ok) {
            return null;
        }
        if (!problems.check(b[0] < b[1], vp, "randint needs lower < upper (upper is excluded), was [%d, %d]",
                b[0], b[1])) {
            return null;
        }
        return new RandInt(name, b[0], b[1]);
    }

    /** The name of NNI BatchTuner's single choice, whose options are parameter sets rather than branches. */
    static final String BATCH_CHOICE = "combine_params";

    private ParameterSpec choice(String name, List<?> list, FieldPath vp) {
        if (list.isEmpty()) {
            problems.add(vp, "choice needs at least one option");
            return null;
        }
        List<ChoiceOption> options = new ArrayList<>();
        Set<String> branchNames = new HashSet<>();
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            Object o = list.get(i);
            FieldPath op = vp.index(i);
            if (o instanceof Map<?, ?> m && name.equals(BATCH_CHOICE) && !m.containsKey("_name")) {
                // NNI BatchTuner's space: each option is a whole parameter set, handed to the trial as it is
                try {
                    options.add(new ChoiceOption.Value(m));
                } catch (NullPointerException e) {
                    problems.add(op, "a parameter set must not hold null: " + e.getMessage());
                    ok = false;
                }
            } else if (o instanceof Map<?, ?> m) {
                Object bn = m.get("_name");
                if (!(bn instanceof String s) || s.isBlank()) {
                    problems.add(op.child("_name"), bn == null
                            ? "a nested choice option needs a _name"
                            : "must be a non-blank string, was " + describe(bn));
                    ok = false;
                    continue;
                }
                if (!branchNames.add(s)) {
                    problems.add(op.child("_name"), "duplicate branch name '" + s + "'");
                    ok = false;
                }
                @SuppressWarnings("unchecked")
                Map<String, ?> branch = (Map<String, ?>) m;
                options.add(new ChoiceOption.Nested(s, space(branch, op, true)));
            } else if (o instanceof String || o instanceof Integer || o instanceof Long || o instanceof Boolean
                    || (o instanceof Double d && Double.isFinite(d))) {
                options.add(new ChoiceOption.Value(o));
            } else {
                problems.add(op, "a choice option must be a string, number, boolean or nested {\"_name\": ...} "
                        + "object, was " + describe(o));
                ok = false;
            }
        }
        return ok ? new Choice(name, options) : null;
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        // A Double keeps its ".0": "randint bounds must be integers, was 5.0" must show what is wrong.
        return String.valueOf(v);
    }

    static String fmt(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return String.valueOf((long) x);
        }
        return String.valueOf(x);
    }
}
