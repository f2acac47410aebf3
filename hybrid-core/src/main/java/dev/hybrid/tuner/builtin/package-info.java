/**
 * The built-in tuners, registered by their NNI names through {@link dev.hybrid.tuner.TunerProvider}s listed in
 * {@code META-INF/services}. Each tuner is driven from the experiment thread only and depends on nothing but the
 * space, the results and its seeded random generator. Non-null by default.
 */
package dev.hybrid.tuner.builtin;
