/**
 * The entry point: build an {@link dev.hybrid.Experiment} from a search space, a tuner, a budget and a training
 * platform (or an in-process trial function, or a loaded NNI config), start it, and follow it through its
 * {@link dev.hybrid.ExperimentHandle} and {@link dev.hybrid.ExperimentListener}s. One experiment thread owns all
 * mutable state; everything else reaches it as a message.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid;
