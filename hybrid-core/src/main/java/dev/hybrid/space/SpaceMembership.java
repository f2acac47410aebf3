package dev.hybrid.space;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Says why parameters from outside (an import file, a user) do not lie in a search space. Numbers are compared by
 * value, so {@code 3.0} is the randint or choice value {@code 3}; q values need not lie exactly on their grid, since
 * files written by other tools round them.
 */
final class SpaceMembership {
    private SpaceMembership() {
    }

    static List<String> violations(SearchSpace space, Map<String, ?> values) {
        if (isListedSet(space, values)) {
            return List.of();
        }
        List<String> problems = new ArrayList<>();
        check(space, values, "", problems);
        return problems;
    }

    private static void check(SearchSpace space, Map<String, ?> values, String prefix, List<String> problems) {
        Set<String> expected = new LinkedHashSet<>(space.names());
        for (String key : values.keySet()) {
            if (!expected.contains(key) && !(key.equals("_name") && !prefix.isEmpty())) {
                problems.add(prefix + key + ": is not a parameter of the search space " + expected);
            }
        }
        for (ParameterSpec spec : space.parameters()) {
            String path = prefix + spec.name();
            Object v = values.get(spec.name());
            if (v == null) {
                problems.add(path + ": is missing");
            } else {
                check(spec, v, path, problems);
            }
        }
    }

    private static void check(ParameterSpec spec, Object v, String path, List<String> problems) {
        if (spec instanceof Choice c) {
            checkChoice(c, v, path, problems);
            return;
        }
        if (!(v instanceof Number n)) {
            problems.add(path + ": " + spec.nniType() + " needs a number, was " + describe(v));
            return;
        }
        double x = n.doubleValue();
        if (!Double.isFinite(x)) {
            problems.add(path + ": " + spec.nniType() + " needs a finite number, was " + x);
        } else if (spec instanceof RandInt r) {
            if (x != Math.rint(x) || x < r.lower() || x >= r.upper()) {
                problems.add(path + ": randint needs an integer in [" + r.lower() + ", " + r.upper() + "), was "
                        + v);
            }
        } else if (spec instanceof Uniform s) {
            within(spec, x, s.low(), s.high(), path, problems);
        } else if (spec instanceof LogUniform s) {
            within(spec, x, s.low(), s.high(), path, problems);
        } else if (spec instanceof QUniform s) {
            within(spec, x, s.low(), s.high(), path, problems);
        } else if (spec instanceof QLogUniform s) {
            within(spec, x, s.low(), s.high(), path, problems);
        } else if ((spec instanceof LogNormal || spec instanceof QLogNormal) && x < 0) {
            problems.add(path + ": " + spec.nniType() + " values are never negative, was " + v);
        }
    }

    private static void checkChoice(Choice c, Object v, String path, List<String> problems) {
        if (v instanceof Map<?, ?> m) {
            Object name = m.get("_name");
            for (ChoiceOption o : c.options()) {
                if (o instanceof ChoiceOption.Nested n && n.name().equals(name)) {
                    @SuppressWarnings("unchecked")
                    Map<String, ?> sub = (Map<String, ?>) m;
                    check(n.space(), sub, path + ".", problems);
                    return;
                }
            }
            problems.add(path + "._name: must name a branch of the choice, was " + describe(name));
            return;
        }
        List<Object> options = new ArrayList<>();
        for (ChoiceOption o : c.options()) {
            if (o instanceof ChoiceOption.Value val) {
                if (sameValue(val.value(), v)) {
                    return;
                }
                options.add(val.value());
            } else if (o instanceof ChoiceOption.Nested n) {
                options.add("{_name: " + n.name() + "}");
            }
        }
        problems.add(path + ": is not one of the choice's options " + options + ", was " + describe(v));
    }

    /**
     * Whether the space is NNI BatchTuner's (one {@code combine_params} choice of parameter sets) and {@code values} is
     * one of its sets: a BatchTuner trial's parameters are the set itself.
     */
    private static boolean isListedSet(SearchSpace space, Map<String, ?> values) {
        if (space.parameters().size() != 1 || !(space.parameters().get(0) instanceof Choice c)
                || !c.name().equals(SearchSpaceParser.BATCH_CHOICE)) {
            return false;
        }
        for (ChoiceOption o : c.options()) {
            if (o instanceof ChoiceOption.Value v && v.value() instanceof Map<?, ?> set && sameSet(set, values)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameSet(Map<?, ?> set, Map<String, ?> values) {
        if (!set.keySet().equals(values.keySet())) {
            return false;
        }
        for (Map.Entry<?, ?> e : set.entrySet()) {
            if (!sameValue(e.getValue(), values.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameValue(Object option, Object v) {
        if (option instanceof Number a && v instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return option.equals(v);
    }

    private static void within(ParameterSpec spec, double x, double low, double high, String path,
            List<String> problems) {
        if (x < low || x > high) {
            problems.add(path + ": " + spec.nniType() + " needs a value in [" + low + ", " + high + "], was " + x);
        }
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
