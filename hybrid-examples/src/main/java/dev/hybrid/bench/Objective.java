package dev.hybrid.bench;

import dev.hybrid.space.Parameters;

/** A benchmark objective: the value to minimise for one parameter set. Closing releases whatever it holds. */
public interface Objective extends AutoCloseable {

    /**
     * Evaluates one parameter set as an NNI trial would receive it.
     *
     * @throws BenchException when the objective cannot evaluate it
     */
    double evaluate(Parameters parameters);

    @Override
    default void close() {
    }
}
