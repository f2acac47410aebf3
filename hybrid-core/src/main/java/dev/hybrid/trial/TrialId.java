package dev.hybrid.trial;

import java.util.Objects;

/** A trial's id, unique within its experiment (NNI's {@code NNI_TRIAL_JOB_ID}, e.g. {@code "aB3xY"}). */
public record TrialId(String value) {
    public TrialId {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("value must not be blank");
        }
    }

    public static TrialId of(String value) {
        return new TrialId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
