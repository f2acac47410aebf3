package dev.hybrid.trial;

import dev.hybrid.space.Parameters;
import java.util.Objects;

/**
 * What a platform needs to run one trial: its id, its sequence number in the experiment (NNI's
 * {@code NNI_TRIAL_SEQ_ID}), the tuner's parameter id (NNI's {@code parameter_id}) and the parameters.
 */
public record TrialSpec(TrialId id, int sequence, long parameterId, Parameters parameters) {
    public TrialSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(parameters, "parameters");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, was " + sequence);
        }
    }
}
