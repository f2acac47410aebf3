/**
 * The entry point: build an {@link dev.hybrid.Experiment} from a search space, a tuner, a budget and a training
 * platform (or an in-process trial function), start it, and follow it through its
 * {@link dev.hybrid.ExperimentHandle} and {@link dev.hybrid.ExperimentListener}s. Non-null by default.
 */
package dev.hybrid;
