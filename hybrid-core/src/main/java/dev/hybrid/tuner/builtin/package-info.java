/**
 * The tuners that ship with hybrid, registered by their NNI names through {@link dev.hybrid.tuner.TunerProvider}:
 * {@code Random} and {@code GridSearch}, with NNI 2.7+ semantics. Non-null by default.
 */
package dev.hybrid.tuner.builtin;
