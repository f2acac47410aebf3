package dev.hybrid.space;

import dev.hybrid.internal.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The hyperparameters of one trial, as an NNI trial receives them: parameter name to value. Values are
 * {@code Double} (continuous and q-types), {@code Integer}/{@code Long} ({@code randint}, integer choices),
 * {@code String}/{@code Boolean} (choices), or, for a nested choice, an immutable map holding {@code _name} and the
 * branch's parameters. Deeply immutable; key order is the search space's order.
 */
public record Parameters(Map<String, Object> values) {
    public Parameters {
        values = deepCopy(values);
    }

    /** No parameters. */
    public static Parameters empty() {
        return new Parameters(Map.of());
    }

    /** Parses an NNI parameter object, e.g. {@code {"lr": 0.01, "model": {"_name": "svm", "C": 1.0}}}. */
    public static Parameters fromJson(String json) {
        try {
            Object plain = Json.toPlain(Json.readTree(json));
            if (!(plain instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("parameters must be a JSON object, was: " + json);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return new Parameters(map);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("parameters are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The value of a top-level parameter. */
    public Optional<Object> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * A numeric parameter as a double.
     *
     * @throws IllegalArgumentException if absent (the message lists the names there are) or not a number
     */
    public double getDouble(String name) {
        Object v = present(name);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("parameter '" + name + "' is not a number: " + v);
    }

    /** The value of {@code name}; a misspelt name is the usual cause of an absent one, so the message lists them. */
    private Object present(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("parameter '" + name + "' is absent; the parameters are "
                    + values.keySet());
        }
        return v;
    }

    /** A numeric parameter as an int (rounded half to even). @throws IllegalArgumentException if not a number */
    public int getInt(String name) {
        return (int) Math.rint(getDouble(name));
    }

    /**
     * A parameter as a string (numbers and booleans in their JSON spelling).
     *
     * @throws IllegalArgumentException if absent (the message lists the names there are)
     */
    public String getString(String name) {
        return String.valueOf(present(name));
    }

    /** The parameters as NNI JSON, key order kept. */
    public String toJson() {
        return Json.write(values);
    }

    @Override
    public String toString() {
        return toJson();
    }

    private static Map<String, Object> deepCopy(Map<String, ?> in) {
        Objects.requireNonNull(in, "values");
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(Objects.requireNonNull(k, "key"), copyValue(k, v)));
        return java.util.Collections.unmodifiableMap(out);
    }

    private static Object copyValue(String key, Object v) {
        if (v == null) {
            throw new NullPointerException("parameter '" + key + "' is null");
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> sub = new LinkedHashMap<>();
            m.forEach((k, val) -> sub.put(String.valueOf(k), copyValue(String.valueOf(k), val)));
            return java.util.Collections.unmodifiableMap(sub);
        }
        if (v instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            for (Object o : l) {
                copy.add(copyValue(key, o));
            }
            return List.copyOf(copy);
        }
        return v;
    }
}
