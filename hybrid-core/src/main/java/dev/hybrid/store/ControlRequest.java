package dev.hybrid.store;

import dev.hybrid.trial.TrialId;
import java.time.Duration;
import java.util.Objects;

/**
 * A request to steer a running experiment, as NNI's web UI and {@code nnictl stop} / {@code nnictl update} make
 * them: stop it, cancel one trial, or change one of its limits. The experiment thread applies each request once,
 * whether it came through {@code ExperimentHandle} in the same JVM or through
 * the store's control requests from another process.
 */
public sealed interface ControlRequest {

    /** The request's kind as the store and the command line name it, e.g. {@code "maxTrialNumber"}. */
    String kind();

    /** The request's argument as text ({@code ""} for a stop), as the store keeps it. */
    String argument();

    /** Stop the experiment, as {@code ExperimentHandle.stop()}. */
    record Stop() implements ControlRequest {
        @Override
        public String kind() {
            return "stop";
        }

        @Override
        public String argument() {
            return "";
        }
    }

    /** Cancel one trial: it ends {@code USER_CANCELED} and the experiment goes on. */
    record CancelTrial(TrialId trial) implements ControlRequest {
        public CancelTrial {
            Objects.requireNonNull(trial, "trial");
        }

        @Override
        public String kind() {
            return "cancelTrial";
        }

        @Override
        public String argument() {
            return trial.value();
        }
    }

    /** Set NNI's {@code maxTrialNum}: at least 1, and not below the trials already submitted. */
    record SetMaxTrialNumber(int value) implements ControlRequest {
        public SetMaxTrialNumber {
            if (value < 1) {
                throw new IllegalArgumentException("maxTrialNumber must be >= 1, was " + value);
            }
        }

        @Override
        public String kind() {
            return "maxTrialNumber";
        }

        @Override
        public String argument() {
            return Integer.toString(value);
        }
    }

    /** Set NNI's {@code maxExecDuration}, counted from the experiment's first start over every run. */
    record SetMaxExecDuration(Duration value) implements ControlRequest {
        public SetMaxExecDuration {
            Objects.requireNonNull(value, "value");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("maxExecDuration must be positive, was " + value);
            }
        }

        @Override
        public String kind() {
            return "maxExecDuration";
        }

        @Override
        public String argument() {
            return value.toString();
        }
    }

    /** Set NNI's {@code trialConcurrency}: at least 1. Lowering it cancels nothing; fewer trials start. */
    record SetTrialConcurrency(int value) implements ControlRequest {
        public SetTrialConcurrency {
            if (value < 1) {
                throw new IllegalArgumentException("trialConcurrency must be >= 1, was " + value);
            }
        }

        @Override
        public String kind() {
            return "trialConcurrency";
        }

        @Override
        public String argument() {
            return Integer.toString(value);
        }
    }

    /**
     * The request a store row holds, from its {@link #kind()} and {@link #argument()}.
     *
     * @throws IllegalArgumentException if the kind is unknown or the argument is not valid for it
     */
    static ControlRequest of(String kind, String argument) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(argument, "argument");
        try {
            return switch (kind) {
                case "stop" -> new Stop();
                case "cancelTrial" -> new CancelTrial(new TrialId(argument));
                case "maxTrialNumber" -> new SetMaxTrialNumber(Integer.parseInt(argument));
                case "maxExecDuration" -> new SetMaxExecDuration(Duration.parse(argument));
                case "trialConcurrency" -> new SetTrialConcurrency(Integer.parseInt(argument));
                default -> throw new IllegalArgumentException("unknown control request kind '" + kind + "'");
            };
        } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("bad argument '" + argument + "' for control request " + kind, e);
        }
    }
}
