package dev.hybrid.platform.openpai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates a job protocol against OpenPAI's own schema ({@code shared/specs/openpai/schema.yaml}, OpenAPI
 * {@code components.schemas.JobProtocol}), with the keywords that schema uses: {@code $ref}, {@code allOf},
 * {@code oneOf}, {@code type}, {@code enum}, {@code properties}, {@code required}, {@code additionalProperties},
 * {@code items}, {@code minItems}, {@code pattern}, {@code minLength}, {@code maxLength}, {@code minimum}.
 */
final class ProtocolSchema {
    private final Map<String, Object> schemas;

    private ProtocolSchema(Map<String, Object> schemas) {
        this.schemas = schemas;
    }

    /** The schema found in a {@code shared/specs/openpai} folder above the working directory, if there is one. */
    @SuppressWarnings("unchecked")
    static Optional<ProtocolSchema> find() {
        return specFile("schema.yaml").map(file -> {
            try {
                Map<String, Object> doc = new ObjectMapper(new YAMLFactory()).readValue(file.toFile(), Map.class);
                Map<String, Object> components = (Map<String, Object>) doc.get("components");
                return new ProtocolSchema((Map<String, Object>) components.get("schemas"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
        });
    }

    /** A file of the first {@code shared/specs/openpai} folder above the working directory. */
    static Optional<Path> specFile(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("shared/specs/openpai").resolve(name);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
            p = p.getParent();
        }
        return Optional.empty();
    }

    /** The violations of {@code JobProtocol} in {@code doc}, each with its JSON path; empty when it is valid. */
    List<String> validate(Object doc) {
        List<String> errors = new ArrayList<>();
        check(doc, Map.of("$ref", "#/components/schemas/JobProtocol"), "$", errors);
        return errors;
    }

    @SuppressWarnings("unchecked")
    private void check(Object v, Map<String, Object> s, String at, List<String> errors) {
        if (s.get("$ref") instanceof String ref) {
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            check(v, (Map<String, Object>) schemas.get(name), at, errors);
            return;
        }
        if (s.get("allOf") instanceof List<?> all) {
            for (Object sub : all) {
                check(v, (Map<String, Object>) sub, at, errors);
            }
        }
        if (s.get("oneOf") instanceof List<?> one) {
            int matches = 0;
            for (Object sub : one) {
                List<String> e = new ArrayList<>();
                check(v, (Map<String, Object>) sub, at, e);
                if (e.isEmpty()) {
                    matches++;
                }
            }
            if (matches != 1) {
                errors.add(at + ": must match exactly one schema of oneOf, matches " + matches);
            }
        }
        if (s.get("type") instanceof String type && !hasType(v, type)) {
            errors.add(at + ": must be of type " + type + ", was " + v);
            return;
        }
        if (s.get("enum") instanceof List<?> values && values.stream().noneMatch(e -> sameValue(e, v))) {
            errors.add(at + ": must be one of " + values + ", was " + v);
        }
        if (v instanceof String str) {
            if (s.get("pattern") instanceof String pattern && !java.util.regex.Pattern.compile(pattern).matcher(str)
                    .find()) {
                errors.add(at + ": must match " + pattern + ", was '" + str + "'");
            }
            if (s.get("minLength") instanceof Number min && str.length() < min.intValue()) {
                errors.add(at + ": must have at least " + min + " characters");
            }
            if (s.get("maxLength") instanceof Number max && str.length() > max.intValue()) {
                errors.add(at + ": must have at most " + max + " characters");
            }
        }
        if (v instanceof Number n && s.get("minimum") instanceof Number min && n.doubleValue() < min.doubleValue()) {
            errors.add(at + ": must be >= " + min + ", was " + n);
        }
        if (v instanceof List<?> list) {
            if (s.get("minItems") instanceof Number min && list.size() < min.intValue()) {
                errors.add(at + ": must have at least " + min + " items");
            }
            if (s.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < list.size(); i++) {
                    check(list.get(i), (Map<String, Object>) items, at + "[" + i + "]", errors);
                }
            }
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> props = s.get("properties") instanceof Map<?, ?> p ? (Map<String, Object>) p
                    : Map.of();
            if (s.get("required") instanceof List<?> required) {
                for (Object r : required) {
                    if (!map.containsKey(r)) {
                        errors.add(at + "." + r + ": is required");
                    }
                }
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (props.get(key) instanceof Map<?, ?> sub) {
                    check(e.getValue(), (Map<String, Object>) sub, at + "." + key, errors);
                } else if (s.get("additionalProperties") instanceof Map<?, ?> extra) {
                    check(e.getValue(), (Map<String, Object>) extra, at + "." + key, errors);
                } else if (Boolean.FALSE.equals(s.get("additionalProperties"))) {
                    errors.add(at + "." + key + ": is not allowed");
                }
            }
        }
    }

    private static boolean hasType(Object v, String type) {
        return switch (type) {
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "string" -> v instanceof String;
            case "integer" -> v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger;
            case "number" -> v instanceof Number;
            case "boolean" -> v instanceof Boolean;
            default -> true;
        };
    }

    private static boolean sameValue(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return a != null && a.equals(b);
    }
}
