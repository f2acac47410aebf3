package dev.hybrid.tuner;

import dev.hybrid.space.Parameters;
import java.util.Objects;

/** What a tuner answers when asked for a trial's parameters: one type per outcome, never null. */
public sealed interface Suggestion {

    /** Run a trial with these parameters. */
    record Next(Parameters parameters) implements Suggestion {
        public Next {
            Objects.requireNonNull(parameters, "parameters");
        }
    }

    /** Nothing to propose until more results arrive; the experiment asks again after the next event. */
    record Later() implements Suggestion {
    }

    /** The search space is exhausted (a finished grid): no more trials from this tuner. */
    record Done() implements Suggestion {
    }
}
