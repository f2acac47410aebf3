package dev.hybrid.config;

import dev.hybrid.HybridException;
import java.util.List;

/**
 * A configuration (YAML, search space, builder call or tuner {@code classArgs}) has one or more problems. It carries
 * every problem found, each with its field path, so that a user fixes them all in one go.
 */
public class ConfigException extends HybridException {
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public ConfigException(FieldPath path, String message) {
        this(List.of(new ConfigProblem(path, message)));
    }

    /** Every problem found, in the order they were found. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        StringBuilder sb = new StringBuilder().append(problems.size()).append(" problems:");
        for (ConfigProblem p : problems) {
            sb.append("\n  ").append(p);
        }
        return sb.toString();
    }
}
