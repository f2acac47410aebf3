package dev.hybrid.space;

import java.util.List;
import java.util.Objects;

/**
 * NNI {@code choice}: one of a list of options, treated as unordered categories. Options may be plain values or
 * nested branches ({@link ChoiceOption.Nested}) carrying their own sub-space.
 */
public record Choice(String name, List<ChoiceOption> options) implements ParameterSpec {
    public Choice {
        Objects.requireNonNull(name, "name");
        options = List.copyOf(options);
        if (options.isEmpty()) {
            throw new IllegalArgumentException("choice '" + name + "' needs at least one option");
        }
    }

    /** Whether any option is a nested branch. */
    public boolean isNested() {
        return options.stream().anyMatch(o -> o instanceof ChoiceOption.Nested);
    }

    /** How many options there are. */
    public int size() {
        return options.size();
    }

    @Override
    public String nniType() {
        return "choice";
    }
}
