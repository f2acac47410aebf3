package dev.hybrid.space;

import dev.hybrid.config.ConfigException;
import dev.hybrid.config.FieldPath;
import dev.hybrid.internal.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An NNI search space: an ordered list of {@link ParameterSpec}s with unique names. Read it from NNI's
 * {@code search_space.json} with {@link #parse(String)} or {@link #read(Path)}, which report every problem at once
 * with its path ({@code lr._value: loguniform needs low > 0, was 0}); write it back with {@link #toJson()}.
 * Nested choices may nest to any depth.
 */
public record SearchSpace(List<ParameterSpec> parameters) {
    public SearchSpace {
        parameters = List.copyOf(parameters);
        Set<String> names = new HashSet<>();
        for (ParameterSpec p : parameters) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("duplicate parameter name '" + p.name() + "'");
            }
        }
    }

    /** A space of the given specs, in order. */
    public static SearchSpace of(ParameterSpec... specs) {
        return new SearchSpace(List.of(specs));
    }

    /** The spec of a top-level parameter. */
    public Optional<ParameterSpec> get(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public boolean isEmpty() {
        return parameters.isEmpty();
    }

    /** The names of the top-level parameters, in order. */
    public List<String> names() {
        return parameters.stream().map(ParameterSpec::name).toList();
    }

    /**
     * Parses NNI search-space JSON.
     *
     * @throws ConfigException listing every problem, each with its path
     */
    public static SearchSpace parse(String json) {
        Objects.requireNonNull(json, "json");
        return SearchSpaceParser.parse(json, FieldPath.ROOT);
    }

    /**
     * Parses NNI search-space JSON, reporting problems under {@code at} (e.g. {@code searchSpace}).
     *
     * @throws ConfigException listing every problem, each with its path
     */
    public static SearchSpace parse(String json, FieldPath at) {
        Objects.requireNonNull(json, "json");
        return SearchSpaceParser.parse(json, at);
    }

    /**
     * Parses an already-decoded search space (maps and lists as a YAML or JSON parser gives them), as an inline
     * {@code searchSpace} of a config.
     *
     * @throws ConfigException listing every problem, each with its path under {@code at}
     */
    public static SearchSpace fromPlain(Map<String, ?> plain, FieldPath at) {
        return SearchSpaceParser.fromPlain(plain, at);
    }

    /**
     * Reads a {@code search_space.json} file.
     *
     * @throws ConfigException when the file cannot be read or has problems
     */
    public static SearchSpace read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(FieldPath.ROOT, "cannot read search space file " + file + ": " + e);
        }
        return parse(text);
    }

    /**
     * Why {@code parameters} do not lie in this space, one line per problem with the parameter's path (e.g.
     * {@code model.C: uniform needs a value in [0.1, 10.0], was 20.0}); empty when they do. Numbers are compared by
     * value ({@code 3.0} is the randint value 3), and q values need not lie exactly on their grid.
     */
    public List<String> violations(Parameters parameters) {
        return SpaceMembership.violations(this, parameters.values());
    }

    /** This space as NNI JSON (indented); {@code parse(toJson())} gives an equal space. */
    public String toJson() {
        return Json.writePretty(toPlain());
    }

    /** This space as plain maps and lists in NNI's layout. */
    public Map<String, Object> toPlain() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParameterSpec p : parameters) {
            out.put(p.name(), specToPlain(p));
        }
        return out;
    }

    private static Map<String, Object> specToPlain(ParameterSpec p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_type", p.nniType());
        List<Object> v = new ArrayList<>();
        if (p instanceof Choice c) {
            for (ChoiceOption o : c.options()) {
                if (o instanceof ChoiceOption.Value val) {
                    v.add(val.value());
                } else if (o instanceof ChoiceOption.Nested n) {
                    Map<String, Object> branch = new LinkedHashMap<>();
                    branch.put("_name", n.name());
                    branch.putAll(n.space().toPlain());
                    v.add(branch);
                }
            }
        } else if (p instanceof RandInt r) {
            v.add(r.lower());
            v.add(r.upper());
        } else if (p instanceof Uniform u) {
            v.addAll(List.of(u.low(), u.high()));
        } else if (p instanceof QUniform u) {
            v.addAll(List.of(u.low(), u.high(), u.q()));
        } else if (p instanceof LogUniform u) {
            v.addAll(List.of(u.low(), u.high()));
        } else if (p instanceof QLogUniform u) {
            v.addAll(List.of(u.low(), u.high(), u.q()));
        } else if (p instanceof Normal n) {
            v.addAll(List.of(n.mu(), n.sigma()));
        } else if (p instanceof QNormal n) {
            v.addAll(List.of(n.mu(), n.sigma(), n.q()));
        } else if (p instanceof LogNormal n) {
            v.addAll(List.of(n.mu(), n.sigma()));
        } else if (p instanceof QLogNormal n) {
            v.addAll(List.of(n.mu(), n.sigma(), n.q()));
        }
        m.put("_value", v);
        return m;
    }
}
