package dev.hybrid.space;

import java.util.Objects;

/**
 * One option of a {@link Choice}: a plain value (a string, number or boolean) or, in an NNI nested search space, a
 * named branch with its own sub-parameters.
 */
public sealed interface ChoiceOption {

    /**
     * A plain option: a {@code String}, {@code Integer}, {@code Long}, {@code Double} or {@code Boolean}; or, as an
     * option of NNI BatchTuner's {@code combine_params} choice, a whole parameter set (a map, kept as an unmodifiable
     * copy, which a trial receives as the choice's value).
     */
    record Value(Object value) implements ChoiceOption {
        public Value {
            Objects.requireNonNull(value, "value");
            if (value instanceof java.util.Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                java.util.Map<String, Object> set = (java.util.Map<String, Object>) m;
                value = new Parameters(set).values();
            } else if (!(value instanceof String || value instanceof Integer || value instanceof Long
                    || value instanceof Double || value instanceof Boolean)) {
                throw new IllegalArgumentException("a choice option must be a string, number, boolean or parameter"
                        + " set, was " + value.getClass().getSimpleName());
            }
        }
    }

    /**
     * A branch of a nested choice: {@code {"_name": "svm", "C": {...}, ...}}. When chosen, the trial's value for the
     * choice is a map holding {@code _name} and the branch's own parameters; branches may nest to any depth.
     */
    record Nested(String name, SearchSpace space) implements ChoiceOption {
        public Nested {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(space, "space");
        }
    }
}
