/**
 * The entry point of Hybrid: {@code Experiment}, built with {@code Experiment.builder()}, runs a hyperparameter-tuning experiment on one experiment thread, asking a tuner for parameters and a training platform to run trials.
 *
 * <p>Non-null by default: no parameter or return value of this package is null; absent values are {@code Optional}.
 */
package dev.hybrid;
