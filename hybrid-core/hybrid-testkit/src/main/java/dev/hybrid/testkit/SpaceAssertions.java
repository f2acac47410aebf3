package dev.hybrid.testkit;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that parameters lie in a search space with NNI's exact semantics: the same keys as the space; a
 * {@code randint} an {@code Integer}/{@code Long} in {@code [lower, upper)}; continuous and q values {@code Double}s,
 * the bounded ones in {@code [low, high]}; a q value a fixed point of its spec's {@code quantize} (on the grid, and
 * clipped for {@code quniform}/{@code qloguniform}); a choice one of its options; a nested choice a map with the
 * {@code _name} of a branch and exactly that branch's parameters, checked recursively.
 */
public final class SpaceAssertions {
    private SpaceAssertions() {
    }

    /** @throws AssertionError listing every violation, each with its path, e.g. {@code model.C} */
    public static void assertInSpace(SearchSpace space, Parameters parameters) {
        List<String> problems = new ArrayList<>();
        check(space, parameters.values(), "", problems);
        if (!problems.isEmpty()) {
            throw new AssertionError("parameters " + parameters + " are not in the space:\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** The violations, empty when the parameters lie in the space. */
    public static List<String> violations(SearchSpace space, Parameters parameters) {
        List<String> problems = new ArrayList<>();
        check(space, parameters.values(), "", problems);
        return problems;
    }

    private static void check(SearchSpace space, Map<String, ?> values, String prefix, List<String> problems) {
        Set<String> expected = new LinkedHashSet<>(space.names());
        for (String key : values.keySet()) {
            if (!expected.contains(key) && !(key.equals("_name") && !prefix.isEmpty())) {
                problems.add(prefix + key + ": not a parameter of the space " + expected);
            }
        }
        for (ParameterSpec spec : space.parameters()) {
            String path = prefix + spec.name();
            Object v = values.get(spec.name());
            if (v == null) {
                problems.add(path + ": missing");
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
        if (spec instanceof RandInt r) {
            if (!(v instanceof Integer || v instanceof Long)) {
                problems.add(path + ": randint value must be an integer, was " + describe(v));
            } else {
                long x = ((Number) v).longValue();
                if (x < r.lower() || x >= r.upper()) {
                    problems.add(path + ": randint value must be in [" + r.lower() + ", " + r.upper() + "), was " + x);
                }
            }
            return;
        }
        if (!(v instanceof Double d)) {
            problems.add(path + ": " + spec.nniType() + " value must be a Double, was " + describe(v));
            return;
        }
        double x = d;
        if (!Double.isFinite(x)) {
            problems.add(path + ": must be finite, was " + x);
            return;
        }
        if (spec instanceof Uniform s) {
            within(x, s.low(), s.high(), path, problems);
        } else if (spec instanceof LogUniform s) {
            within(x, s.low(), s.high(), path, problems);
        } else if (spec instanceof QUniform s) {
            within(x, s.low(), s.high(), path, problems);
            onGrid(x, s.quantize(x), path, problems);
        } else if (spec instanceof QLogUniform s) {
            within(x, s.low(), s.high(), path, problems);
            onGrid(x, s.quantize(x), path, problems);
        } else if (spec instanceof QNormal s) {
            onGrid(x, s.quantize(x), path, problems);
        } else if (spec instanceof LogNormal) {
            if (x < 0) {
                problems.add(path + ": lognormal value must not be negative, was " + x);
            }
        } else if (spec instanceof QLogNormal s) {
            if (x < 0) {
                problems.add(path + ": qlognormal value must not be negative, was " + x);
            }
            onGrid(x, s.quantize(x), path, problems);
        } else if (!(spec instanceof Normal)) {
            problems.add(path + ": unknown spec " + spec);
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
        for (ChoiceOption o : c.options()) {
            if (o instanceof ChoiceOption.Value val && val.value().equals(v)) {
                return;
            }
        }
        problems.add(path + ": must be one of the choice's options, was " + describe(v));
    }

    private static void within(double x, double low, double high, String path, List<String> problems) {
        if (x < low || x > high) {
            problems.add(path + ": must be in [" + low + ", " + high + "], was " + x);
        }
    }

    private static void onGrid(double x, double quantized, String path, List<String> problems) {
        if (Double.compare(x, quantized) != 0) {
            problems.add(path + ": must lie on the q grid (quantised, then clipped), was " + x + ", the grid point is "
                    + quantized);
        }
    }

    private static String describe(Object v) {
        return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
    }
}
