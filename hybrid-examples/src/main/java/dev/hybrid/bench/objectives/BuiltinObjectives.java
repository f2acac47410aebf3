package dev.hybrid.bench.objectives;

import dev.hybrid.bench.Objective;
import java.util.Optional;

/** The closed-form objectives by problem folder name. */
public final class BuiltinObjectives {
    private BuiltinObjectives() {
    }

    /** The objective implemented for a problem folder, if there is one. */
    public static Optional<Objective> forProblem(String name) {
        switch (name) {
            case "branin": return Optional.of(new Branin());
            case "hartmann6": return Optional.of(new Hartmann6());
            case "rosenbrock4": return Optional.of(new Rosenbrock4());
            case "ackley10": return Optional.of(new Ackley10());
            case "mixed": return Optional.of(new Mixed());
            case "conditional": return Optional.of(new Conditional());
            default: return Optional.empty();
        }
    }
}
